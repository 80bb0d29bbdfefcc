//go:build labcheck

package main

import (
	"reflect"
	"testing"
)

func FuzzCartCode(f *testing.F) {
	f.Add("MUG", 2)
	f.Add("A*B", 12)
	f.Add("100%", 3)
	f.Add("", 1)
	f.Add("MUG", 0)
	f.Fuzz(func(t *testing.T, sku string, qty int) {
		lines := []Line{{SKU: sku, Qty: qty}, {SKU: "TEA", Qty: 1}}
		code, err := EncodeCart(lines)
		if err != nil {
			return // not a valid cart: nothing to round-trip
		}
		got, err := DecodeCart(code)
		if err != nil {
			t.Fatalf("DecodeCart(EncodeCart(%+v)) = %q: %v", lines, code, err)
		}
		if !reflect.DeepEqual(got, lines) {
			t.Fatalf("DecodeCart(EncodeCart(%+v)) = %+v, want the same cart back (code %q)", lines, got, code)
		}
	})
}
