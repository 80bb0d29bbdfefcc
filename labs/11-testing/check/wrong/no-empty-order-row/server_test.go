//go:build labcheck

package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestQuoteHTTP(t *testing.T) {
	srv := newServer()
	req := httptest.NewRequest(http.MethodPost, "/quote", strings.NewReader(`{"vip":true,"items":[{"sku":"MUG","unit_price_cents":1250,"qty":8}]}`))
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("POST /quote: got %d, want 200; body %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("POST /quote: Content-Type %q, want application/json", ct)
	}
	var got Quote
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("POST /quote: body %s is not a quote: %v", rec.Body, err)
	}
	if want := (Quote{Subtotal: 100_00, Discount: 15_00, Total: 85_00}); got != want {
		t.Errorf("POST /quote: got %+v, want %+v", got, want)
	}
}

func TestQuoteHTTPErrors(t *testing.T) {
	tests := []struct {
		name, method, body string
		want               int
	}{
		{"not JSON", http.MethodPost, `{"items": [`, http.StatusBadRequest},
		{"wrong JSON type", http.MethodPost, `{"items": "MUG"}`, http.StatusBadRequest},
		{"quantity 0", http.MethodPost, `{"items":[{"sku":"MUG","unit_price_cents":1250,"qty":0}]}`, http.StatusUnprocessableEntity},
		{"GET", http.MethodGet, ``, http.StatusMethodNotAllowed},
	}
	srv := newServer()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest(tt.method, "/quote", strings.NewReader(tt.body)))
			if rec.Code != tt.want {
				t.Fatalf("%s /quote %s: got %d, want %d; body %s", tt.method, tt.body, rec.Code, tt.want, rec.Body)
			}
			if tt.want == http.StatusMethodNotAllowed {
				return // the mux's own plain-text reply
			}
			var body struct{ Error string }
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error == "" {
				t.Errorf("%s /quote %s: body %s, want {\"error\": \"...\"}", tt.method, tt.body, rec.Body)
			}
		})
	}
}
