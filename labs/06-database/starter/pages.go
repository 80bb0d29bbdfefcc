package main

import (
	"context"
	"strconv"

	"github.com/jackc/pgx/v5"
)

// OrdersPage returns up to limit orders of every customer, newest first (created_at DESC,
// id DESC), that come after the cursor, and the cursor of the next page ("" on the last page).
// An empty cursor starts at the newest order; a cursor this code did not make is an error.
//
// TODO(keyset-pagination): this cursor is an OFFSET in disguise. PostgreSQL reads and throws
// away every skipped row, so deep pages get slower and slower, and when orders arrive between
// two pages, rows shift: the client sees some twice. Make the cursor remember the
// (created_at, id) of the last order of the page, and start the next page right after it.
func (s *Store) OrdersPage(ctx context.Context, cursor string, limit int) ([]Order, string, error) {
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	offset := 0
	if cursor != "" {
		n, err := strconv.Atoi(cursor)
		if err != nil || n < 0 {
			return nil, "", ErrBadCursor
		}
		offset = n
	}
	rows, err := s.pool.Query(ctx, `
		SELECT id, customer_id, status, created_at
		FROM orders
		ORDER BY created_at DESC, id DESC
		LIMIT $1 OFFSET $2`, limit+1, offset)
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
	return orders[:limit], strconv.Itoa(offset + limit), nil
}
