package main

import (
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"strconv"
	"time"
)

// newServer exposes the store over HTTP, so that you can try it with curl. The hidden tests
// call the Store's methods directly.
//
//	GET  /customers/{id}/orders               every order of a customer, with its items
//	GET  /customers/{id}/orders?from=&to=     up to 50 orders in [from, to) (dates: 2024-03-01)
//	GET  /products/{sku}/orders               the orders containing a product
//	GET  /orders?limit=20&cursor=...          every order, newest first, one page at a time
//	POST /transfers {"from":1,"to":2,"amount_cents":500}
//	GET  /accounts/{id}                       an account's balance
func newServer(s *Store) http.Handler {
	mux := http.NewServeMux()

	mux.HandleFunc("GET /customers/{id}/orders", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			http.Error(w, "bad customer id", http.StatusBadRequest)
			return
		}
		q := r.URL.Query()
		if q.Has("from") || q.Has("to") {
			from, err1 := time.Parse(time.DateOnly, q.Get("from"))
			to, err2 := time.Parse(time.DateOnly, q.Get("to"))
			if err := errors.Join(err1, err2); err != nil {
				http.Error(w, "from and to are dates like 2024-03-01", http.StatusBadRequest)
				return
			}
			orders, err := s.CustomerOrdersBetween(r.Context(), id, from, to)
			reply(w, orders, err)
			return
		}
		orders, err := s.CustomerOrders(r.Context(), id)
		reply(w, orders, err)
	})

	mux.HandleFunc("GET /products/{sku}/orders", func(w http.ResponseWriter, r *http.Request) {
		orders, err := s.OrdersWithSKU(r.Context(), r.PathValue("sku"))
		reply(w, orders, err)
	})

	mux.HandleFunc("GET /orders", func(w http.ResponseWriter, r *http.Request) {
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		orders, next, err := s.OrdersPage(r.Context(), r.URL.Query().Get("cursor"), limit)
		reply(w, map[string]any{"data": orders, "next_cursor": next}, err)
	})

	mux.HandleFunc("POST /transfers", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			From        int64 `json:"from"`
			To          int64 `json:"to"`
			AmountCents int64 `json:"amount_cents"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, "want {\"from\":1,\"to\":2,\"amount_cents\":500}", http.StatusBadRequest)
			return
		}
		err := s.Transfer(r.Context(), in.From, in.To, in.AmountCents)
		if err == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		reply(w, nil, err)
	})

	mux.HandleFunc("GET /accounts/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			http.Error(w, "bad account id", http.StatusBadRequest)
			return
		}
		balance, err := s.Balance(r.Context(), id)
		reply(w, map[string]any{"id": id, "balance_cents": balance}, err)
	})
	return mux
}

// reply writes v as JSON, or err with a status that fits it.
func reply(w http.ResponseWriter, v any, err error) {
	switch {
	case err == nil:
		w.Header().Set("Content-Type", "application/json")
		if err := json.NewEncoder(w).Encode(v); err != nil {
			log.Printf("write reply: %v", err)
		}
	case errors.Is(err, ErrAccountNotFound):
		http.Error(w, err.Error(), http.StatusNotFound)
	case errors.Is(err, ErrInvalidAmount), errors.Is(err, ErrBadCursor):
		http.Error(w, err.Error(), http.StatusBadRequest)
	case errors.Is(err, ErrInsufficientFunds):
		http.Error(w, err.Error(), http.StatusConflict)
	default:
		log.Printf("error: %v", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}
