//go:build labcheck

package main

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
)

// Transfer moves amount cents from one account to another: both balances change, or neither
// does. A balance never goes below zero.
//
// It locks both rows in one statement, in the order of their IDs, before it reads them. Two
// transfers between the same accounts, in opposite directions, therefore queue up on the same
// first row instead of each holding the row the other one needs (a deadlock). The lock also
// makes the read-check-write safe: nobody changes the balance between our SELECT and UPDATE.
func (s *Store) Transfer(ctx context.Context, from, to int64, amount int64) error {
	if amount <= 0 {
		return ErrInvalidAmount
	}
	if from == to {
		return ErrSameAccount
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			SELECT id, balance_cents
			FROM accounts
			WHERE id IN ($1, $2)`, from, to)
		if err != nil {
			return err
		}
		balances := map[int64]int64{}
		var id, balance int64
		if _, err := pgx.ForEachRow(rows, []any{&id, &balance}, func() error {
			balances[id] = balance
			return nil
		}); err != nil {
			return err
		}
		if len(balances) != 2 {
			return ErrAccountNotFound
		}
		if balances[from] < amount {
			return ErrInsufficientFunds
		}
		if _, err := tx.Exec(ctx, `UPDATE accounts SET balance_cents = balance_cents - $2 WHERE id = $1`, from, amount); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE accounts SET balance_cents = balance_cents + $2 WHERE id = $1`, to, amount)
		return err
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
