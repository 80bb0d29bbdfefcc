//go:build labcheck

package main

import (
	"context"
	"log"
)

// updateProduct saves p in the store and keeps the cache honest.
func (s *server) updateProduct(ctx context.Context, p Product) error {
	// Drop the cached copy first, so nobody reads it while the store changes.
	if err := s.rdb.Del(ctx, productKey(p.ID)).Err(); err != nil {
		log.Printf("cache: del %s: %v (stale for at most %v)", productKey(p.ID), err, productTTL)
	}
	return s.store.Put(ctx, p)
}
