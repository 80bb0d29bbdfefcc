//go:build labcheck

package main

import (
	"context"
	"encoding/json"
	"log"
)

// updateProduct saves p, then puts its new JSON in the cache: the next reader does not miss.
func (s *server) updateProduct(ctx context.Context, p Product) error {
	if err := s.store.Put(ctx, p); err != nil {
		return err
	}
	body, err := json.Marshal(p)
	if err == nil {
		err = s.rdb.Set(ctx, productKey(p.ID), body, productTTL).Err()
	}
	if err != nil {
		// A stale copy is worse than none: try to drop it.
		log.Printf("cache: refresh %s: %v", productKey(p.ID), err)
		s.rdb.Del(ctx, productKey(p.ID))
	}
	return nil
}
