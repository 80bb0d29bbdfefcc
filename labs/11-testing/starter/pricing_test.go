package main

import "testing"

// TestPrice checks Price, one case per row. Run it with `go test -run TestPrice -v`.
func TestPrice(t *testing.T) {
	tests := []struct {
		name  string
		order Order
		want  Quote
	}{
		{"one mug", Order{Items: []Item{{SKU: "MUG", UnitPrice: 12_50, Qty: 1}}}, Quote{Subtotal: 12_50, Total: 12_50}},
		// TODO(unit): add the rows that matter: the discount threshold (just below, exactly at,
		// just above), VIP and not VIP, several items and quantities, the rounding of the discount.
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

// TODO(unit): test the orders Price must reject (no items, a quantity of 0 or less, a negative
// price) with errors.Is, in a second table: TestPriceRejects.
