//go:build labcheck

package main

import (
	"context"
	"sync"
	"time"
)

const loadTimeout = 5 * time.Second

// keyLocks holds one mutex per product id: loads of one product queue up, others run freely.
var keyLocks sync.Map // id -> *sync.Mutex

// loadProduct runs on a miss. The first caller for an id loads; the others wait for its lock
// and then find the cache filled.
func (s *server) loadProduct(ctx context.Context, id string) ([]byte, error) {
	m, _ := keyLocks.LoadOrStore(id, &sync.Mutex{})
	mu := m.(*sync.Mutex)
	mu.Lock()
	defer mu.Unlock()
	if body, err := s.rdb.Get(ctx, productKey(id)).Bytes(); err == nil {
		return body, nil
	}
	ctx, cancel := context.WithTimeout(ctx, loadTimeout)
	defer cancel()
	return s.fillProduct(ctx, id)
}
