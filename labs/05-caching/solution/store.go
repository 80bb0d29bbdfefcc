package main

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Product is one item of the catalog. Its JSON form is what the API serves and what the
// cache stores under product:{id}.
type Product struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	PriceCents int64  `json:"price_cents"`
}

// ErrNotFound is returned by Store.Get for an unknown id.
var ErrNotFound = errors.New("product not found")

// Store is the slow database the cache sits in front of. The hidden tests pass their own
// implementation, which counts calls; `go run .` uses slowStore.
type Store interface {
	Get(ctx context.Context, id string) (Product, error) // ErrNotFound for an unknown id
	Put(ctx context.Context, p Product) error            // creates or replaces p.ID
}

// slowStore is an in-memory Store that takes `delay` per call, like a busy database.
type slowStore struct {
	delay time.Duration
	mu    sync.Mutex
	items map[string]Product
}

func newSlowStore(delay time.Duration, products []Product) *slowStore {
	s := &slowStore{delay: delay, items: make(map[string]Product)}
	for _, p := range products {
		s.items[p.ID] = p
	}
	return s
}

func (s *slowStore) wait(ctx context.Context) error {
	t := time.NewTimer(s.delay)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *slowStore) Get(ctx context.Context, id string) (Product, error) {
	if err := s.wait(ctx); err != nil {
		return Product{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.items[id]
	if !ok {
		return Product{}, ErrNotFound
	}
	return p, nil
}

func (s *slowStore) Put(ctx context.Context, p Product) error {
	if err := s.wait(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items[p.ID] = p
	return nil
}

func seedProducts() []Product {
	return []Product{
		{ID: "1", Name: "Mechanical keyboard", PriceCents: 8900},
		{ID: "2", Name: "Trackball mouse", PriceCents: 5400},
		{ID: "3", Name: "27-inch monitor", PriceCents: 32900},
		{ID: "4", Name: "USB-C dock", PriceCents: 12900},
	}
}
