//go:build labcheck

package main

import (
	"context"
	"sync"
	"time"
)

// loadTimeout bounds a shared load: it no longer depends on the request that started it.
const loadTimeout = 5 * time.Second

// loadProduct runs on a cache miss: it reads the store and fills the cache. Concurrent misses
// for the same id share one load.
func (s *server) loadProduct(ctx context.Context, id string) ([]byte, error) {
	// One load at a time: whoever waited finds the cache filled.
	loadMu.Lock()
	defer loadMu.Unlock()
	if body, err := s.rdb.Get(ctx, productKey(id)).Bytes(); err == nil {
		return body, nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), loadTimeout)
	defer cancel()
	return s.fillProduct(ctx, id)
}

var loadMu sync.Mutex
