//go:build labcheck

package main

import (
	"encoding/json"
	"errors"
	"net/http"
)

// newServer is the HTTP API:
//
//	POST /quote  {"customer":"ada","vip":false,"items":[{"sku":"MUG","unit_price_cents":1250,"qty":2}]}
//	  200 {"subtotal_cents":2500,"discount_cents":0,"total_cents":2500}
//	  400 {"error":"..."}  the body is not a JSON order
//	  422 {"error":"..."}  a JSON order that cannot be priced (no items, quantity 0, ...)
//	  405                  any other method (net/http's mux answers it)
func newServer() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /quote", handleQuote)
	return mux
}

func handleQuote(w http.ResponseWriter, r *http.Request) {
	var o Order
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	if err := dec.Decode(&o); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "the body must be a JSON order: " + err.Error()})
		return
	}
	if len(o.Items) == 0 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "the body must be a JSON order with items"})
		return
	}
	q, err := Price(o)
	switch {
	case errors.Is(err, ErrEmptyOrder), errors.Is(err, ErrBadQuantity), errors.Is(err, ErrBadPrice):
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": err.Error()})
		return
	case err != nil:
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "internal error"})
		return
	}
	writeJSON(w, http.StatusOK, q)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
