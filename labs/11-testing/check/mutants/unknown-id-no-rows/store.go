//go:build labcheck

package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// DB is what the store needs from PostgreSQL. *pgxpool.Pool, *pgx.Conn and pgx.Tx all have
// these methods, so a test can hand the store a transaction and roll it back at the end.
type DB interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// ErrNotFound: no open order has that id.
var ErrNotFound = errors.New("no such open order")

// StoredOrder is a row of the orders table.
type StoredOrder struct {
	ID       int64
	Customer string
	Total    Cents
	Status   string // "open" or "shipped"
}

// Store keeps orders in PostgreSQL.
type Store struct{ db DB }

func NewStore(db DB) *Store { return &Store{db: db} }

// Schema creates the orders table if it does not exist.
const Schema = `CREATE TABLE IF NOT EXISTS orders (
	id          bigserial PRIMARY KEY,
	customer    text   NOT NULL,
	total_cents bigint NOT NULL CHECK (total_cents >= 0),
	status      text   NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'shipped'))
)`

// Migrate creates the schema.
func (s *Store) Migrate(ctx context.Context) error {
	_, err := s.db.Exec(ctx, Schema)
	return err
}

// Create stores a new open order and returns its id.
func (s *Store) Create(ctx context.Context, customer string, total Cents) (int64, error) {
	var id int64
	err := s.db.QueryRow(ctx, `INSERT INTO orders (customer, total_cents) VALUES ($1, $2) RETURNING id`, customer, int64(total)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("create order: %w", err)
	}
	return id, nil
}

// MarkShipped ships one open order. An id that is not an open order is ErrNotFound.
func (s *Store) MarkShipped(ctx context.Context, id int64) error {
	var status string
	if err := s.db.QueryRow(ctx, `SELECT status FROM orders WHERE id = $1`, id).Scan(&status); err != nil {
		return fmt.Errorf("ship order %d: %w", id, err) // pgx.ErrNoRows, not ErrNotFound
	}
	if status != "open" {
		return fmt.Errorf("ship order %d: %w", id, ErrNotFound)
	}
	if _, err := s.db.Exec(ctx, `UPDATE orders SET status = 'shipped' WHERE id = $1`, id); err != nil {
		return fmt.Errorf("ship order %d: %w", id, err)
	}
	return nil
}

// OpenOrders lists a customer's open orders, oldest first.
func (s *Store) OpenOrders(ctx context.Context, customer string) ([]StoredOrder, error) {
	rows, err := s.db.Query(ctx, `SELECT id, customer, total_cents, status FROM orders
		WHERE customer = $1 AND status = 'open' ORDER BY id`, customer)
	if err != nil {
		return nil, fmt.Errorf("open orders of %s: %w", customer, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (StoredOrder, error) {
		var o StoredOrder
		err := r.Scan(&o.ID, &o.Customer, &o.Total, &o.Status)
		return o, err
	})
	if err != nil {
		return nil, fmt.Errorf("open orders of %s: %w", customer, err)
	}
	return out, nil
}
