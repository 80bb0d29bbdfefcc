package main

import (
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"strings"

	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/singleflight"
)

// server holds what the handlers share.
type server struct {
	rdb     *redis.Client
	store   Store
	flights singleflight.Group // for the stampede task (stampede.go)
}

// newServer builds the HTTP API. The hidden tests call it with a real Redis client and a fake
// Store that counts calls, so keep this signature.
//
//	GET  /products/{id}   the product as JSON (cache.go, stampede.go, httpcache.go)
//	PUT  /products/{id}   replace a product (invalidate.go)
//	POST /login           start a session (sessions.go)
//	POST /logout          end it
//	GET  /me              who is logged in (needs a session)
func newServer(rdb *redis.Client, store Store) http.Handler {
	s := &server{rdb: rdb, store: store}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /products/{id}", s.handleGetProduct)
	mux.HandleFunc("PUT /products/{id}", s.handlePutProduct)
	mux.HandleFunc("POST /login", s.handleLogin)
	mux.HandleFunc("POST /logout", s.handleLogout)
	mux.Handle("GET /me", s.requireSession(http.HandlerFunc(s.handleMe)))
	return mux
}

func (s *server) handleGetProduct(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	body, err := s.productJSON(r.Context(), id)
	switch {
	case errors.Is(err, ErrNotFound):
		writeError(w, http.StatusNotFound, "product not found")
		return
	case err != nil:
		log.Printf("GET /products/%s: %v", id, err)
		writeError(w, http.StatusInternalServerError, "could not load the product")
		return
	}
	writeProduct(w, r, body)
}

func (s *server) handlePutProduct(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name       string `json:"name"`
		PriceCents int64  `json:"price_cents"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "body must be JSON like {\"name\":\"...\",\"price_cents\":100}")
		return
	}
	if strings.TrimSpace(in.Name) == "" || in.PriceCents < 0 {
		writeError(w, http.StatusBadRequest, "name must not be empty and price_cents must not be negative")
		return
	}
	p := Product{ID: r.PathValue("id"), Name: in.Name, PriceCents: in.PriceCents}
	if err := s.updateProduct(r.Context(), p); err != nil {
		log.Printf("PUT /products/%s: %v", p.ID, err)
		writeError(w, http.StatusInternalServerError, "could not save the product")
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		log.Printf("write response: %v", err)
	}
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
