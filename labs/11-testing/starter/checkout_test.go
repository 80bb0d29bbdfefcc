package main

import (
	"context"
	"testing"
)

// TestCheckout tests Shop.Checkout without a real payment provider or warehouse.
func TestCheckout(t *testing.T) {
	_ = context.Background()
	// TODO(fakes): write a fake Gateway (it records charges and refunds, and can be told to
	// decline) and a fake Stock (it can be told to be out of stock), then test: a successful
	// checkout charges the total after discount; a declined card fails with ErrDeclined and
	// reserves nothing; out of stock fails with ErrOutOfStock and refunds the charge.
}
