package main

import (
	"context"
	"encoding/json"
	"time"
)

// productTTL is how long a cached product lives in Redis. The tests accept 1 to 10 minutes.
const productTTL = 5 * time.Minute

// productKey is the Redis key of a cached product: product:{id}.
func productKey(id string) string { return "product:" + id }

// productJSON returns the JSON of product id, from Redis when it can.
func (s *server) productJSON(ctx context.Context, id string) ([]byte, error) {
	// TODO(cache-aside): read productKey(id) from Redis first (s.rdb.Get(...).Bytes()).
	// On a hit, return those bytes as they are. On a miss (the error is redis.Nil) fall
	// through to the load below. Any other Redis error: log it and read the store anyway.
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
	// TODO(cache-aside): write body to Redis under productKey(id) with productTTL, so the next
	// read is a hit. A failed write should not fail the request: log it and return the body.
	return body, nil
}
