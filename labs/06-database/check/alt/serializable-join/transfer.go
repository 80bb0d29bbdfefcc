//go:build labcheck

package main

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Transfer runs at SERIALIZABLE: PostgreSQL aborts one of two transactions that would
// interleave badly (40001), and Transfer runs the whole transaction again.
func (s *Store) Transfer(ctx context.Context, from, to int64, amount int64) error {
	if amount <= 0 {
		return ErrInvalidAmount
	}
	if from == to {
		return ErrSameAccount
	}
	for attempt := 1; ; attempt++ {
		err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.Serializable}, func(tx pgx.Tx) error {
			var fromBal, toBal int64
			if err := tx.QueryRow(ctx, `SELECT balance_cents FROM accounts WHERE id = $1`, from).Scan(&fromBal); err != nil {
				if errors.Is(err, pgx.ErrNoRows) {
					return ErrAccountNotFound
				}
				return err
			}
			if err := tx.QueryRow(ctx, `SELECT balance_cents FROM accounts WHERE id = $1`, to).Scan(&toBal); err != nil {
				if errors.Is(err, pgx.ErrNoRows) {
					return ErrAccountNotFound
				}
				return err
			}
			if fromBal < amount {
				return ErrInsufficientFunds
			}
			// Safe at SERIALIZABLE: a concurrent change of these rows aborts one of us.
			if _, err := tx.Exec(ctx, `UPDATE accounts SET balance_cents = $2 WHERE id = $1`, from, fromBal-amount); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `UPDATE accounts SET balance_cents = $2 WHERE id = $1`, to, toBal+amount)
			return err
		})
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && (pgErr.Code == "40001" || pgErr.Code == "40P01") && attempt < 20 {
			continue
		}
		return err
	}
}

// Balance returns the balance of an account in cents.
func (s *Store) Balance(ctx context.Context, id int64) (int64, error) {
	var balance int64
	err := s.pool.QueryRow(ctx, `SELECT balance_cents FROM accounts WHERE id = $1`, id).Scan(&balance)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, ErrAccountNotFound
	}
	return balance, err
}
