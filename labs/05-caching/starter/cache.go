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
	// TODO(cache-aside): answer from Redis (productKey) when the product is cached, byte for
	// byte. A miss, and also a Redis that is unwell, go on to the load below: a broken cache
	// must not break the catalog.
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
	// TODO(cache-aside): keep body in Redis under productKey(id) for productTTL, so the next
	// read is a hit. A failed write must not fail the request.
	return body, nil
}
