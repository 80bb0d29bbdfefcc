//go:build labcheck

package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// OrdersPage returns up to limit orders of every customer, newest first (created_at DESC,
// id DESC), that come after the cursor, and the cursor of the next page ("" on the last page).
// An empty cursor starts at the newest order.
//
// The cursor remembers the sort key of the last order of the page, (created_at, id), and the
// next page starts strictly after it: WHERE (created_at, id) < ($1, $2). The index on
// orders (created_at, id) jumps straight there, however deep the page, and orders that arrive
// meanwhile never shift the pages.
func (s *Store) OrdersPage(ctx context.Context, cursor string, limit int) ([]Order, string, error) {
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	var rows pgx.Rows
	var err error
	if cursor == "" {
		rows, err = s.pool.Query(ctx, `
			SELECT id, customer_id, status, created_at
			FROM orders
			ORDER BY created_at DESC, id DESC
			LIMIT $1`, limit+1)
	} else {
		at, id, cerr := decodeCursor(cursor)
		if cerr != nil {
			return nil, "", cerr
		}
		rows, err = s.pool.Query(ctx, `
			SELECT id, customer_id, status, created_at
			FROM orders
			WHERE (created_at, id) < ($1, $2)
			ORDER BY created_at DESC, id DESC
			LIMIT $3`, at, id, limit+1)
	}
	if err != nil {
		return nil, "", err
	}
	orders, err := pgx.CollectRows(rows, scanOrder)
	if err != nil {
		return nil, "", err
	}
	if len(orders) <= limit {
		return orders, "", nil
	}
	orders = orders[:limit]
	last := orders[limit-1]
	return orders, encodeCursor(last.CreatedAt, last.ID), nil
}

// A cursor is opaque to clients: base64 of "microseconds since 1970,id". PostgreSQL keeps
// timestamps to the microsecond, so the round trip is exact.
func encodeCursor(at time.Time, id int64) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%d,%d", at.Unix(), id))
}

func decodeCursor(cursor string) (time.Time, int64, error) {
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return time.Time{}, 0, ErrBadCursor
	}
	var micros, id int64
	if n, err := fmt.Sscanf(string(raw), "%d,%d", &micros, &id); err != nil || n != 2 {
		return time.Time{}, 0, ErrBadCursor
	}
	return time.Unix(micros, 0), id, nil
}
