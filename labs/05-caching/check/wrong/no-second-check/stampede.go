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
	ch := s.flights.DoChan(id, func() (any, error) {
		// The load serves every waiting request, so one client hanging up must not cancel it.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), loadTimeout)
		defer cancel()
		return s.fillProduct(ctx, id)
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		return res.Val.([]byte), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
