package main

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
)

// Transfer moves amount cents from one account to another: both balances change, or neither
// does. A balance never goes below zero.
//
// It returns ErrInvalidAmount for an amount that is not positive, ErrSameAccount when from
// and to are the same account, ErrAccountNotFound when either account does not exist, and
// ErrInsufficientFunds when the sender cannot pay; in all these cases nothing changes. Many transfers run at once: none may lose money, deadlock, or
// hand its caller an error that a retry would have fixed.
func (s *Store) Transfer(ctx context.Context, from, to int64, amount int64) error {
	// TODO(transactions): move the money all or nothing, safe against every other transfer
	// running at the same time: no lost update, no overdraft, no deadlock left to the caller.
	return errors.New("Transfer is not implemented yet")
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
