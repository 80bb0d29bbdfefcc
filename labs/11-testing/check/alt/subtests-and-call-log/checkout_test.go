//go:build labcheck

package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
)

// callLog is a mock-style stand-in for both Gateway and Stock: it records every call as a
// line, and the tests compare the whole sequence.
type callLog struct {
	calls   []string
	decline bool
	noStock bool
}

func (l *callLog) Charge(_ context.Context, card string, amount Cents) (string, error) {
	l.calls = append(l.calls, fmt.Sprintf("charge %s %d", card, amount))
	if l.decline {
		return "", fmt.Errorf("gateway: %w", ErrDeclined)
	}
	return "ch_1", nil
}

func (l *callLog) Refund(_ context.Context, id string) error {
	l.calls = append(l.calls, "refund "+id)
	return nil
}

func (l *callLog) Reserve(_ context.Context, items []Item) error {
	l.calls = append(l.calls, fmt.Sprintf("reserve %d", len(items)))
	if l.noStock {
		return ErrOutOfStock
	}
	return nil
}

func TestCheckoutCallSequences(t *testing.T) {
	order := Order{Items: []Item{{SKU: "TEA", UnitPrice: 50_00, Qty: 2}, {SKU: "MUG", UnitPrice: 10_00, Qty: 1}}} // 110.00, 11.00 off
	tests := []struct {
		name    string
		log     callLog
		wantErr error
		want    []string
	}{
		{"ok", callLog{}, nil, []string{"charge 4242 9900", "reserve 2"}},
		{"declined", callLog{decline: true}, ErrDeclined, []string{"charge 4242 9900"}},
		{"out of stock", callLog{noStock: true}, ErrOutOfStock, []string{"charge 4242 9900", "reserve 2", "refund ch_1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := tt.log
			shop := &Shop{Payments: &l, Stock: &l}
			r, err := shop.Checkout(context.Background(), order, "4242")
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Checkout: %+v, %v; want error %v", r, err, tt.wantErr)
			}
			if !slices.Equal(l.calls, tt.want) {
				t.Errorf("calls %q, want %q", l.calls, tt.want)
			}
			if tt.wantErr == nil && (r.ChargeID != "ch_1" || r.Total != 99_00) {
				t.Errorf("receipt %+v, want ch_1 for 99.00", r)
			}
		})
	}
}
