//go:build labcheck

package main

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
)

// Transfer writes without reading first: the debit only happens when the balance can pay it
// (WHERE balance_cents >= amount), checked on the current row under its lock. The two rows are
// updated in id order, so two transfers in opposite directions queue up instead of deadlocking.
func (s *Store) Transfer(ctx context.Context, from, to int64, amount int64) error {
	if amount <= 0 {
		return ErrInvalidAmount
	}
	if from == to {
		return ErrSameAccount
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		debit := func() error {
			tag, err := tx.Exec(ctx, `UPDATE accounts SET balance_cents = balance_cents - $2 WHERE id = $1 AND balance_cents >= $2`, from, amount)
			if err != nil || tag.RowsAffected() == 1 {
				return err
			}
			var exists bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM accounts WHERE id = $1)`, from).Scan(&exists); err != nil {
				return err
			}
			if !exists {
				return ErrAccountNotFound
			}
			return ErrInsufficientFunds
		}
		credit := func() error {
			tag, err := tx.Exec(ctx, `UPDATE accounts SET balance_cents = balance_cents + $2 WHERE id = $1`, to, amount)
			if err == nil && tag.RowsAffected() == 0 {
				return ErrAccountNotFound // the rollback undoes a debit already made
			}
			return err
		}
		first, second := debit, credit
		if to < from {
			first, second = credit, debit
		}
		if err := first(); err != nil {
			return err
		}
		return second()
	})
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
