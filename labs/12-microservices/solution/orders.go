package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sony/gobreaker/v2"
)

// Order is what the orders service stores, and what an order.created event carries.
type Order struct {
	ID     string `json:"id"`
	UserID string `json:"user_id"`
	Item   string `json:"item"`
}

// OrdersConfig is what an orders instance needs. The hidden tests fill it in.
type OrdersConfig struct {
	UsersURL       string        // base URL of the users service, like http://localhost:8080/api
	Redis          *redis.Client // where order.created events go (events.go)
	BreakerTimeout time.Duration // how long the breaker stays open before a probe (breaker.go)
}

// errUnknownUser: the users service answered 404. That is an answer, not a failure.
var errUnknownUser = errors.New("unknown user")

// usersCallTimeout bounds one call to the users service.
const usersCallTimeout = 5 * time.Second

// ordersService is one instance of the orders service:
//
//	POST /orders       {"user_id":"u1","item":"book"} -> 201 {"id","user_id","item"}
//	GET  /orders/{id}  -> 200 the order | 404
type ordersService struct {
	cfg     OrdersConfig
	client  *http.Client
	breaker *gobreaker.CircuitBreaker[struct{}] // around calls to users (breaker.go)
	mux     *http.ServeMux

	mu     sync.Mutex
	orders map[string]Order
}

// newOrders builds one orders instance. The hidden tests call it, so keep its signature.
func newOrders(cfg OrdersConfig) *ordersService {
	s := &ordersService{
		cfg:     cfg,
		client:  &http.Client{},
		breaker: newBreaker(cfg.BreakerTimeout),
		mux:     http.NewServeMux(),
		orders:  make(map[string]Order),
	}
	s.mux.HandleFunc("POST /orders", s.handleCreate)
	s.mux.HandleFunc("GET /orders/{id}", s.handleGet)
	return s
}

func (s *ordersService) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *ordersService) handleCreate(w http.ResponseWriter, r *http.Request) {
	var in struct {
		UserID string `json:"user_id"`
		Item   string `json:"item"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || strings.TrimSpace(in.UserID) == "" || strings.TrimSpace(in.Item) == "" {
		writeError(w, http.StatusBadRequest, `body must be JSON like {"user_id":"u1","item":"book"}`)
		return
	}
	err := s.checkUser(r.Context(), in.UserID)
	switch {
	case errors.Is(err, errUnknownUser):
		writeError(w, http.StatusUnprocessableEntity, "no user "+in.UserID)
		return
	case errors.Is(err, errUsersUnavailable):
		// The breaker is open: fail fast, and tell the client when to come back.
		w.Header().Set("Retry-After", "5")
		writeError(w, http.StatusServiceUnavailable, "users service unavailable, try again later")
		return
	case err != nil:
		log.Printf("POST /orders: %v", err)
		writeError(w, http.StatusBadGateway, "users service failed")
		return
	}

	o := Order{ID: newID(), UserID: in.UserID, Item: in.Item}
	s.mu.Lock()
	s.orders[o.ID] = o
	s.mu.Unlock()
	if err := s.publishOrderCreated(r.Context(), o); err != nil {
		// The order exists but its event is lost: see "The dual write" in the lesson.
		log.Printf("publish order.created %s: %v", o.ID, err)
	}
	w.Header().Set("Location", "/orders/"+o.ID)
	writeJSON(w, http.StatusCreated, o)
}

func (s *ordersService) handleGet(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	o, ok := s.orders[r.PathValue("id")]
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "no order "+r.PathValue("id"))
		return
	}
	writeJSON(w, http.StatusOK, o)
}

// fetchUser asks the users service whether id exists: nil if it does, errUnknownUser on a
// 404, another error when the call failed (no answer, or a 5xx).
func (s *ordersService) fetchUser(ctx context.Context, id string) error {
	ctx, cancel := context.WithTimeout(ctx, usersCallTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(s.cfg.UsersURL, "/")+"/users/"+url.PathEscape(id), nil)
	if err != nil {
		return err
	}
	res, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("users service: %w", err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 1<<16)) // so the connection can be reused
	switch {
	case res.StatusCode == http.StatusOK:
		return nil
	case res.StatusCode == http.StatusNotFound:
		return errUnknownUser
	default:
		return fmt.Errorf("users service answered %s", res.Status)
	}
}

// newID is a random order ID: several orders instances never hand out the same one.
func newID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "o-" + hex.EncodeToString(b)
}
