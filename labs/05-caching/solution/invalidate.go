package main

import (
	"context"
	"log"
)

// updateProduct saves p in the store and keeps the cache honest.
func (s *server) updateProduct(ctx context.Context, p Product) error {
	if err := s.store.Put(ctx, p); err != nil {
		return err // the store did not change, so the cached copy is still right
	}
	// Delete rather than overwrite: the next read fills the cache from the store, the one
	// source of truth. If the delete fails, the TTL bounds how long the stale copy lives.
	if err := s.rdb.Del(ctx, productKey(p.ID)).Err(); err != nil {
		log.Printf("cache: del %s: %v (stale for at most %v)", productKey(p.ID), err, productTTL)
	}
	return nil
}
