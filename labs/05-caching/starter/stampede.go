package main

import "context"

// loadProduct runs on a cache miss: it reads the store and fills the cache.
func (s *server) loadProduct(ctx context.Context, id string) ([]byte, error) {
	// TODO(stampede): when 50 requests miss the same product at once, only one of them may
	// call the store, and a miss of another product must not wait for this one. Beware the
	// request that missed just before a load finished.
	return s.fillProduct(ctx, id)
}
