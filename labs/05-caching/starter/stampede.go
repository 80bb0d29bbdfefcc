package main

import "context"

// loadProduct runs on a cache miss: it reads the store and fills the cache.
func (s *server) loadProduct(ctx context.Context, id string) ([]byte, error) {
	// TODO(stampede): when 50 requests miss the same key at once, only one of them may call
	// the store. Run the fill through s.flights (singleflight, keyed by the id); inside it,
	// check Redis once more before calling s.fillProduct (another fill may have just landed).
	// Bonus: do not let one caller's cancelled context fail everybody sharing the result.
	return s.fillProduct(ctx, id)
}
