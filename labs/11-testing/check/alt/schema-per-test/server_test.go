//go:build labcheck

package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// These tests go through the real network stack: httptest.NewServer listens on a local port.
func TestQuoteOverHTTP(t *testing.T) {
	srv := httptest.NewServer(newServer())
	defer srv.Close()
	tests := []struct {
		name, body string
		status     int
		want       Quote
	}{
		{"plain", `{"items":[{"sku":"MUG","unit_price_cents":1250,"qty":2}]}`, 200, Quote{Subtotal: 25_00, Total: 25_00}},
		{"discounted", `{"items":[{"sku":"MUG","unit_price_cents":1250,"qty":8}]}`, 200, Quote{Subtotal: 100_00, Discount: 10_00, Total: 90_00}},
		{"broken JSON", `{"items": [`, 400, Quote{}},
		{"items not a list", `{"items": 3}`, 400, Quote{}},
		{"empty order", `{"items": []}`, 422, Quote{}},
		{"negative quantity", `{"items":[{"sku":"MUG","unit_price_cents":1250,"qty":-1}]}`, 422, Quote{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.Post(srv.URL+"/quote", "application/json", strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("POST %s: %d, want %d", tt.body, resp.StatusCode, tt.status)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if tt.status == 200 {
				var got Quote
				dec := json.NewDecoder(resp.Body)
				dec.DisallowUnknownFields()
				if err := dec.Decode(&got); err != nil || got != tt.want {
					t.Errorf("POST %s: %+v (%v), want %+v", tt.body, got, err, tt.want)
				}
				return
			}
			var e map[string]string
			if err := json.NewDecoder(resp.Body).Decode(&e); err != nil || e["error"] == "" {
				t.Errorf("POST %s: error body %v (%v), want {\"error\": ...}", tt.body, e, err)
			}
		})
	}
	resp, err := http.Get(srv.URL + "/quote")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /quote: %d, want 405", resp.StatusCode)
	}
}
