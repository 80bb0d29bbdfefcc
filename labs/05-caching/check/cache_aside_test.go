//go:build labcheck

package main

import (
	"encoding/json"
	"net/http"
	"testing"
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
