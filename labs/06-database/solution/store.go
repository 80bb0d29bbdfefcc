package main

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Store runs every query of the service through one connection pool.
type Store struct {
	pool *pgxpool.Pool
}

// newStore opens a pool from cfg and checks that the database answers.
//
// The hidden tests call it with a config of their own: before calling, they set
// cfg.ConnConfig.Tracer (to count the queries you run) and a search_path (so that your tables
// live in a schema of their own). Build the pool from cfg as it is; do not parse DATABASE_URL
// again here.
func newStore(ctx context.Context, cfg *pgxpool.Config) (*Store, error) {
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return &Store{pool: pool}, nil
}

// Close closes every connection of the pool.
func (s *Store) Close() { s.pool.Close() }

// Order is a row of orders, with its items when the method says so.
type Order struct {
	ID         int64
	CustomerID int64
	Status     string
	CreatedAt  time.Time
	Items      []OrderItem
}

// OrderItem is a row of order_items with the product's SKU and name.
type OrderItem struct {
	ProductID      int64
	SKU            string
	Name           string
	Quantity       int
	UnitPriceCents int64
}

var (
	ErrInvalidAmount     = errors.New("the amount must be positive")
	ErrAccountNotFound   = errors.New("no such account")
	ErrInsufficientFunds = errors.New("insufficient funds")
	ErrSameAccount       = errors.New("cannot transfer to the same account")
	ErrBadCursor         = errors.New("malformed cursor")
)
