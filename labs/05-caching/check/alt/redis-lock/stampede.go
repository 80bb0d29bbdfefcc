//go:build labcheck

package main

import (
	"context"
	"crypto/rand"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

const (
	lockTTL  = 5 * time.Second       // a crashed loader blocks the others this long at most
	pollStep = 10 * time.Millisecond // how often a waiter looks for the value
)

// unlock deletes the lock only if it still holds our token: a slow loader whose lock
// expired must not delete the next loader's lock.
var unlock = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end
return 0`)

// loadProduct runs on a miss. Across every instance of the service, one request per product
// loads it (the one that wins SET lock:product:{id} NX); the others poll the cache.
func (s *server) loadProduct(ctx context.Context, id string) ([]byte, error) {
	lockKey := "lock:" + productKey(id)
	token := rand.Text()
	deadline := time.Now().Add(lockTTL)
	for {
		ok, err := s.rdb.SetNX(ctx, lockKey, token, lockTTL).Result()
		if err != nil {
			// No lock without Redis: load without one.
			return s.fillProduct(ctx, id)
		}
		if ok {
			defer unlock.Run(context.WithoutCancel(ctx), s.rdb, []string{lockKey}, token)
			// The previous holder may have filled it between our miss and our lock.
			if body, err := s.rdb.Get(ctx, productKey(id)).Bytes(); err == nil {
				return body, nil
			}
			return s.fillProduct(ctx, id)
		}
		// Someone else is loading: wait for the value, or for the lock to be free.
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(pollStep):
		}
		body, err := s.rdb.Get(ctx, productKey(id)).Bytes()
		if err == nil {
			return body, nil
		}
		if !errors.Is(err, redis.Nil) || time.Now().After(deadline) {
			return s.fillProduct(ctx, id)
		}
	}
}
