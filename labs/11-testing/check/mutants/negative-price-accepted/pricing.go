//go:build labcheck

package main

import (
	"errors"
	"fmt"
)

// Cents is an amount of money in cents: integers, so 0.1 + 0.2 is never 0.30000000000000004.
type Cents int64

func (c Cents) String() string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}

// Item is one line of an order.
type Item struct {
	SKU       string `json:"sku"`
	UnitPrice Cents  `json:"unit_price_cents"`
	Qty       int    `json:"qty"`
}

// Order is what a customer wants to buy.
type Order struct {
	Customer string `json:"customer"`
	VIP      bool   `json:"vip"`
	Items    []Item `json:"items"`
}

// Quote is the price of an order.
type Quote struct {
	Subtotal Cents `json:"subtotal_cents"`
	Discount Cents `json:"discount_cents"`
	Total    Cents `json:"total_cents"`
}

// The pricing rules.
const (
	DiscountThreshold Cents = 100_00 // orders of 100.00 or more...
	DiscountPercent         = 10     // ...get 10% off,
	VIPExtraPercent         = 5      // and VIP customers 5% more (15% in all).
)

var (
	ErrEmptyOrder  = errors.New("the order has no items")
	ErrBadQuantity = errors.New("quantity must be at least 1")
	ErrBadPrice    = errors.New("unit price must not be negative")
)

// Price computes an order's quote. Orders whose subtotal is DiscountThreshold or more get
// DiscountPercent off, plus VIPExtraPercent for VIP customers; below the threshold nobody gets
// a discount. The discount is rounded down to the cent, in the customer's favour... of the
// shop: 10% of 100.05 is 10.00, not 10.01.
func Price(o Order) (Quote, error) {
	if len(o.Items) == 0 {
		return Quote{}, ErrEmptyOrder
	}
	var q Quote
	for _, it := range o.Items {
		if it.Qty < 1 {
			return Quote{}, fmt.Errorf("%s: %w", it.SKU, ErrBadQuantity)
		}
		q.Subtotal += it.UnitPrice * Cents(it.Qty)
	}
	if q.Subtotal >= DiscountThreshold {
		pct := Cents(DiscountPercent)
		if o.VIP {
			pct += VIPExtraPercent
		}
		q.Discount = q.Subtotal * pct / 100
	}
	q.Total = q.Subtotal - q.Discount
	return q, nil
}
