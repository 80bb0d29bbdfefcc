//go:build labcheck

package main

import (
	"encoding/json"
	"net/http"
	"testing"
)

var splitKeyboard = Product{ID: "1", Name: "Split keyboard", PriceCents: 15900}

func putKeyboard(t *testing.T, h http.Handler, store *fakeStore) request {
	t.Helper()
	q := request{method: "PUT", target: "/products/1", body: `{"name":"Split keyboard","price_cents":15900}`}
	wantProduct(t, q, do(t, h, q), splitKeyboard)
	if p, _ := store.product("1"); p != splitKeyboard || store.puts.Load() != 1 {
		t.Fatalf("%s: the store holds %s after %d Put calls, want %s after 1", q, asJSON(p), store.puts.Load(), asJSON(splitKeyboard))
	}
	return q
}

func TestInvalidationDropsOrRefreshesKey(t *testing.T) {
	rdb := newRedis(t)
	store := newFakeStore(keyboard, mouse)
	h := newHandler(t, rdb, store)

	seed(t, rdb, "product:1", keyboard) // as if an earlier GET had cached it
	q := putKeyboard(t, h, store)

	val, ttl, ok := cached(t, rdb, "product:1")
	if !ok {
		return // deleted: the next read refills it
	}
	var got productJSON
	if err := json.Unmarshal([]byte(val), &got); err != nil {
		t.Fatalf("after %s, Redis key product:1 holds %q, want it deleted or the new JSON %s", q, val, asJSON(splitKeyboard))
	}
	if got == asJSON(keyboard) {
		t.Fatalf("after %s, Redis key product:1 still holds the old %s: every reader gets stale data until the TTL runs out. Delete the key (DEL product:1) once the store write succeeded", q, got)
	}
	if got != asJSON(splitKeyboard) {
		t.Fatalf("after %s, Redis key product:1 holds %s, want it deleted or %s", q, got, asJSON(splitKeyboard))
	}
	wantProductTTL(t, "product:1", ttl)
}

func TestInvalidationReadAfterUpdateIsFresh(t *testing.T) {
	rdb := newRedis(t)
	store := newFakeStore(keyboard, mouse)
	h := newHandler(t, rdb, store)

	q := get("/products/1")
	wantProduct(t, q, do(t, h, q), keyboard) // now cached
	put := putKeyboard(t, h, store)
	before := store.gets.Load()

	res := do(t, h, q)
	var got productJSON
	_ = json.Unmarshal(res.body, &got)
	if got == asJSON(keyboard) {
		t.Fatalf("%s after %s: got the old %s, want %s: the update must delete (or refresh) product:1", q, put, got, asJSON(splitKeyboard))
	}
	wantProduct(t, q, res, splitKeyboard)
	wantProduct(t, q, do(t, h, q), splitKeyboard)
	if n := store.gets.Load() - before; n > 1 {
		t.Fatalf("two GET /products/1 after %s made %d store calls, want 1: the fresh product should be cached again (cache-aside)", put, n)
	}
}
