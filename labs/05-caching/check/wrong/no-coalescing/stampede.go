//go:build labcheck

package main

import (
	"context"
	"time"
)

// loadTimeout bounds a shared load: it no longer depends on the request that started it.
const loadTimeout = 5 * time.Second

// loadProduct runs on a cache miss: it reads the store and fills the cache. Concurrent misses
// for the same id share one load.
func (s *server) loadProduct(ctx context.Context, id string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, loadTimeout)
	defer cancel()
	return s.fillProduct(ctx, id)
}
