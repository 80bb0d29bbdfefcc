//go:build labcheck

package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"testing"

	"github.com/redis/go-redis/v9"
)

func TestCacheAsideSecondReadSkipsStore(t *testing.T) {
	rdb := newRedis(t)
	store := newFakeStore(keyboard, mouse)
	h := newHandler(t, rdb, store)

	q := get("/products/1")
	wantProduct(t, q, do(t, h, q), keyboard)
	if n := store.gets.Load(); n != 1 {
		t.Fatalf("%s on an empty cache made %d store calls, want 1", q, n)
	}
	wantProduct(t, q, do(t, h, q), keyboard)
	if n := store.gets.Load(); n != 1 {
		t.Fatalf("%s a second time called the store again (%d calls in all, want 1): after a miss, write the JSON to Redis under product:1, and read Redis before the store (Redis keys now: %s)", q, n, keys(t, rdb))
	}

	q = get("/products/999")
	if res := do(t, h, q); res.code != http.StatusNotFound {
		t.Fatalf("%s (the store answers ErrNotFound): got %s, want 404", q, res)
	}
}

func TestCacheAsideWritesKeyWithTTL(t *testing.T) {
	rdb := newRedis(t)
	store := newFakeStore(keyboard, mouse)
	h := newHandler(t, rdb, store)

	q := get("/products/2")
	wantProduct(t, q, do(t, h, q), mouse)
	val, ttl, ok := cached(t, rdb, "product:2")
	if !ok {
		t.Fatalf("after %s, Redis has no key product:2 (keys: %s): write the product's JSON there with SET and a TTL", q, keys(t, rdb))
	}
	var got productJSON
	if err := json.Unmarshal([]byte(val), &got); err != nil || got != asJSON(mouse) {
		t.Fatalf("after %s, Redis key product:2 holds %q, want the product's JSON %s", q, val, asJSON(mouse))
	}
	wantProductTTL(t, "product:2", ttl)
}

func TestCacheAsideServesFromRedis(t *testing.T) {
	rdb := newRedis(t)
	store := newFakeStore(keyboard, mouse)
	h := newHandler(t, rdb, store)

	// Only Redis knows product 3: the answer can only come from the cache.
	lamp := Product{ID: "3", Name: "Desk lamp (from Redis)", PriceCents: 4200}
	seed(t, rdb, "product:3", lamp)
	q := get("/products/3")
	res := do(t, h, q)
	if res.code == http.StatusNotFound {
		t.Fatalf("%s with %s cached under product:3: got %s, want 200 with the cached JSON; read Redis before the store", q, asJSON(lamp), res)
	}
	wantProduct(t, q, res, lamp)
	if n := store.gets.Load(); n != 0 {
		t.Fatalf("%s with product:3 in Redis made %d store calls, want 0", q, n)
	}
}

// brokenRedis is a go-redis hook that fails every command, as a Redis that is down would.
type brokenRedis struct{}

func (brokenRedis) DialHook(next redis.DialHook) redis.DialHook { return next }

func (brokenRedis) ProcessHook(redis.ProcessHook) redis.ProcessHook {
	return func(_ context.Context, cmd redis.Cmder) error {
		err := errors.New("dial tcp 10.0.0.9:6379: connect: connection refused (the test's hook fails every Redis command)")
		cmd.SetErr(err)
		return err
	}
}

func (brokenRedis) ProcessPipelineHook(redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(_ context.Context, cmds []redis.Cmder) error {
		err := errors.New("dial tcp 10.0.0.9:6379: connect: connection refused (the test's hook fails every Redis command)")
		for _, cmd := range cmds {
			cmd.SetErr(err)
		}
		return err
	}
}

func TestCacheAsideRedisDownServesTheStore(t *testing.T) {
	newRedis(t) // empties the test database
	opt, _ := redis.ParseURL(os.Getenv("REDIS_URL"))
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { rdb.Close() })
	rdb.AddHook(brokenRedis{})
	store := newFakeStore(keyboard, mouse)
	h := newHandler(t, rdb, store)

	q := get("/products/1")
	for i := 0; i < 2; i++ {
		res := do(t, h, q)
		if res.code != http.StatusOK {
			t.Fatalf("%s with Redis down (every command fails with \"connection refused\"): got %s, want 200 with %s from the store\n"+
				"hint: a cache is an optimisation, not a source of truth: on a Redis error other than redis.Nil, log it and read the store; a failed SET is logged, not returned", q, res, asJSON(keyboard))
		}
		wantProduct(t, q, res, keyboard)
	}
}
