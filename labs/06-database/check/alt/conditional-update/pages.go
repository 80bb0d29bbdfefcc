//go:build labcheck

package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
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
			WHERE created_at <= $1 AND (created_at < $1 OR id < $2)
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

// The cursor is hex of "<Unix nanoseconds>.<id>".
func encodeCursor(at time.Time, id int64) string {
	return hex.EncodeToString(fmt.Appendf(nil, "%d.%d", at.UnixNano(), id))
}

func decodeCursor(cursor string) (time.Time, int64, error) {
	raw, err := hex.DecodeString(cursor)
	if err != nil {
		return time.Time{}, 0, ErrBadCursor
	}
	nanos, idText, ok := strings.Cut(string(raw), ".")
	n, err1 := strconv.ParseInt(nanos, 10, 64)
	id, err2 := strconv.ParseInt(idText, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return time.Time{}, 0, ErrBadCursor
	}
	return time.Unix(0, n), id, nil
}
