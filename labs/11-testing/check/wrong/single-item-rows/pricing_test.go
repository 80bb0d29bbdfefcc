//go:build labcheck

package main

import (
	"errors"
	"testing"
)

func TestPrice(t *testing.T) {
	mug := func(qty int) Item { return Item{SKU: "MUG", UnitPrice: 12_50, Qty: qty} }
	tests := []struct {
		name  string
		order Order
		want  Quote
	}{
		{"one mug", Order{Items: []Item{mug(1)}}, Quote{Subtotal: 12_50, Total: 12_50}},
		{"quantity multiplies", Order{Items: []Item{mug(3)}}, Quote{Subtotal: 37_50, Total: 37_50}},
		{"free item", Order{Items: []Item{{SKU: "STICKER", UnitPrice: 0, Qty: 5}}}, Quote{}},
		{"one cent below the threshold", Order{Items: []Item{{SKU: "A", UnitPrice: 99_99, Qty: 1}}}, Quote{Subtotal: 99_99, Total: 99_99}},
		{"exactly the threshold", Order{Items: []Item{mug(8)}}, Quote{Subtotal: 100_00, Discount: 10_00, Total: 90_00}},
		{"above the threshold", Order{Items: []Item{mug(10)}}, Quote{Subtotal: 125_00, Discount: 12_50, Total: 112_50}},
		{"VIP below the threshold", Order{VIP: true, Items: []Item{mug(1)}}, Quote{Subtotal: 12_50, Total: 12_50}},
		{"VIP at the threshold", Order{VIP: true, Items: []Item{mug(8)}}, Quote{Subtotal: 100_00, Discount: 15_00, Total: 85_00}},
		{"discount rounds down", Order{Items: []Item{{SKU: "A", UnitPrice: 100_05, Qty: 1}}}, Quote{Subtotal: 100_05, Discount: 10_00, Total: 90_05}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Price(tt.order)
			if err != nil {
				t.Fatalf("Price(%+v): unexpected error %v", tt.order, err)
			}
			if got != tt.want {
				t.Errorf("Price(%+v) = %+v, want %+v", tt.order, got, tt.want)
			}
		})
	}
}

func TestPriceRejects(t *testing.T) {
	tests := []struct {
		name  string
		order Order
		want  error
	}{
		{"no items", Order{}, ErrEmptyOrder},
		{"quantity 0", Order{Items: []Item{{SKU: "MUG", UnitPrice: 12_50, Qty: 0}}}, ErrBadQuantity},
		{"negative quantity", Order{Items: []Item{{SKU: "MUG", UnitPrice: 12_50, Qty: -2}}}, ErrBadQuantity},
		{"bad second item", Order{Items: []Item{{SKU: "MUG", UnitPrice: 12_50, Qty: 1}, {SKU: "TEA", UnitPrice: 4_99, Qty: 0}}}, ErrBadQuantity},
		{"negative price", Order{Items: []Item{{SKU: "MUG", UnitPrice: -1, Qty: 1}}}, ErrBadPrice},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Price(tt.order)
			if !errors.Is(err, tt.want) {
				t.Errorf("Price(%+v) = %+v, %v; want error %v", tt.order, got, err, tt.want)
			}
		})
	}
}
