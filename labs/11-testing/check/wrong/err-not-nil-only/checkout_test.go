//go:build labcheck

package main

import (
	"context"
	"fmt"
	"testing"
)

// fakeGateway is a hand-written fake: a working in-memory payment provider that records what
// happened, and declines the cards listed in declined.
type fakeGateway struct {
	declined map[string]bool
	charges  map[string]Cents // charge id -> amount, while not refunded
	refunded []string
	next     int
}

func (g *fakeGateway) Charge(ctx context.Context, card string, amount Cents) (string, error) {
	if g.declined[card] {
		return "", ErrDeclined
	}
	g.next++
	id := fmt.Sprintf("ch_%d", g.next)
	if g.charges == nil {
		g.charges = map[string]Cents{}
	}
	g.charges[id] = amount
	return id, nil
}

func (g *fakeGateway) Refund(ctx context.Context, id string) error {
	if _, ok := g.charges[id]; !ok {
		return fmt.Errorf("refund %s: no such charge", id)
	}
	delete(g.charges, id)
	g.refunded = append(g.refunded, id)
	return nil
}

type fakeStock struct {
	out      bool
	reserved [][]Item
}

func (s *fakeStock) Reserve(ctx context.Context, items []Item) error {
	if s.out {
		return ErrOutOfStock
	}
	s.reserved = append(s.reserved, items)
	return nil
}

var mugs = Order{Customer: "ada", Items: []Item{{SKU: "MUG", UnitPrice: 12_50, Qty: 8}}}

func TestCheckoutCharges(t *testing.T) {
	gw, stock := &fakeGateway{}, &fakeStock{}
	shop := &Shop{Payments: gw, Stock: stock}
	r, err := shop.Checkout(context.Background(), mugs, "4242")
	if err != nil {
		t.Fatalf("Checkout: %v", err)
	}
	if r.Total != 90_00 || gw.charges[r.ChargeID] != 90_00 {
		t.Errorf("Checkout of 100.00 with 10%% off: receipt %+v, charges %v; want 90.00 charged", r, gw.charges)
	}
	if len(stock.reserved) != 1 {
		t.Errorf("Checkout: %d reservations, want 1", len(stock.reserved))
	}
}

func TestCheckoutDeclined(t *testing.T) {
	gw, stock := &fakeGateway{declined: map[string]bool{"0000": true}}, &fakeStock{}
	shop := &Shop{Payments: gw, Stock: stock}
	r, err := shop.Checkout(context.Background(), mugs, "0000")
	if err == nil {
		t.Fatalf("Checkout with a declined card = %+v, %v; want ErrDeclined", r, err)
	}
	if len(stock.reserved) != 0 {
		t.Errorf("Checkout with a declined card reserved stock: %v", stock.reserved)
	}
}

func TestCheckoutOutOfStockRefunds(t *testing.T) {
	gw, stock := &fakeGateway{}, &fakeStock{out: true}
	shop := &Shop{Payments: gw, Stock: stock}
	r, err := shop.Checkout(context.Background(), mugs, "4242")
	if err == nil {
		t.Fatalf("Checkout out of stock = %+v, %v; want ErrOutOfStock", r, err)
	}
	if len(gw.charges) != 0 || len(gw.refunded) != 1 {
		t.Errorf("Checkout out of stock: still charged %v, refunded %v; want the charge refunded", gw.charges, gw.refunded)
	}
}
