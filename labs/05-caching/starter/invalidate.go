package main

import "context"

// updateProduct saves p in the store and keeps the cache honest.
func (s *server) updateProduct(ctx context.Context, p Product) error {
	if err := s.store.Put(ctx, p); err != nil {
		return err
	}
	// TODO(invalidation): the cached copy under productKey(p.ID) is now stale: make sure no
	// reader keeps getting it. Mind the order, and what a failed store write means for it.
	return nil
}
