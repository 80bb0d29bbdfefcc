//go:build labcheck

package main

import (
	"context"
	"errors"
	"fmt"
)

// Gateway is the payment provider. The real one is an HTTPS API that costs money per call
// and cannot be told to decline a card on demand: tests use a fake.
type Gateway interface {
	// Charge takes amount from the card and returns the charge's id, or ErrDeclined.
	Charge(ctx context.Context, card string, amount Cents) (chargeID string, err error)
	// Refund gives a charge back in full.
	Refund(ctx context.Context, chargeID string) error
}

// Stock is the warehouse: Reserve holds the items for the order, or fails with ErrOutOfStock.
type Stock interface {
	Reserve(ctx context.Context, items []Item) error
}

var (
	ErrDeclined   = errors.New("card declined")
	ErrOutOfStock = errors.New("out of stock")
)

// Shop runs checkouts.
type Shop struct {
	Payments Gateway
	Stock    Stock
}

// Receipt is a completed checkout.
type Receipt struct {
	ChargeID string
	Total    Cents
}

// Checkout prices the order, charges the card the total (discount included), then reserves the
// stock. If the stock cannot be reserved, the charge is refunded: a customer is never charged
// for an order that will not ship. Errors wrap the cause (errors.Is works with ErrDeclined and
// ErrOutOfStock).
func (s *Shop) Checkout(ctx context.Context, o Order, card string) (Receipt, error) {
	q, err := Price(o)
	if err != nil {
		return Receipt{}, err
	}
	id, err := s.Payments.Charge(ctx, card, q.Total)
	if err != nil {
		return Receipt{}, fmt.Errorf("charge card: %v", err)
	}
	if err := s.Stock.Reserve(ctx, o.Items); err != nil {
		err = fmt.Errorf("reserve stock: %v", err)
		if rerr := s.Payments.Refund(ctx, id); rerr != nil {
			return Receipt{}, errors.Join(err, fmt.Errorf("refund %s: %w", id, rerr))
		}
		return Receipt{}, err
	}
	return Receipt{ChargeID: id, Total: q.Total}, nil
}
