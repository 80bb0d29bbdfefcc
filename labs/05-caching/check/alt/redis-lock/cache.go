//go:build labcheck

package main

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	mrand "math/rand/v2"
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
		// The cache is an optimisation, not a dependency: serve from the store.
		log.Printf("cache: get %s: %v (reading the store)", productKey(id), err)
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
	// Up to 10% more than productTTL: keys filled together do not all expire together.
	ttl := productTTL + time.Duration(mrand.Int64N(int64(productTTL/10)))
	if err := s.rdb.SetArgs(ctx, productKey(id), body, redis.SetArgs{TTL: ttl}).Err(); err != nil {
		log.Printf("cache: set %s: %v", productKey(id), err)
	}
	return body, nil
}
