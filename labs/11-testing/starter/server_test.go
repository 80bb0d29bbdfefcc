package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestQuoteHTTP sends requests to the handler in memory with httptest: no port, no network.
func TestQuoteHTTP(t *testing.T) {
	srv := newServer()
	req := httptest.NewRequest(http.MethodPost, "/quote", strings.NewReader(`{"items":[{"sku":"MUG","unit_price_cents":1250,"qty":1}]}`))
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	_ = rec // TODO(http): check the status, the Content-Type and the JSON body; then table-drive
	// the error cases: a body that is not JSON (400), an order that cannot be priced (422), another
	// method (405).
}
