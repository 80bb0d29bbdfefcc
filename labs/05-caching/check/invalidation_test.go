//go:build labcheck

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

func TestInvalidationWritesTheStoreBeforeDeleting(t *testing.T) {
	rdb := newRedis(t)
	store := newFakeStore(keyboard, mouse)
	h := newHandler(t, rdb, store)
	seed(t, rdb, "product:1", keyboard) // as if an earlier GET had cached it

	// While the store write is in progress (the old row still in the store), a reader asks for
	// the product: the store calls it from inside Put.
	q := get("/products/1")
	var during response
	var duringErr error
	var cachedThen bool
	store.duringPut = func() {
		store.duringPut = nil
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		defer cancel()
		cachedThen = rdb.Exists(ctx, "product:1").Val() == 1
		during, duringErr = serve(h, q.build(), waitLimit)
	}
	put := putKeyboard(t, h, store)
	if duringErr != nil {
		t.Fatalf("%s sent while the store was writing %s: %v", q, put, duringErr)
	}

	val, _, ok := cached(t, rdb, "product:1")
	if !ok {
		return
	}
	var got productJSON
	_ = json.Unmarshal([]byte(val), &got)
	if got == asJSON(splitKeyboard) {
		return
	}
	why := ""
	if !cachedThen {
		why = fmt.Sprintf(" product:1 was already deleted when the store write began, so that reader missed, read the old row from the store and cached it again (it answered %s).", during)
	}
	t.Fatalf("during %s, while the store was still writing, the test sent %s.%s After the PUT, Redis key product:1 holds %s, want it deleted or %s: every reader gets the old product until the TTL runs out\n"+
		"hint: write the store first, then delete the key: a reader that comes in between gets the old copy once, and the delete that follows removes it", put, q, why, got, asJSON(splitKeyboard))
}

func TestInvalidationFailedWriteKeepsTheCache(t *testing.T) {
	rdb := newRedis(t)
	store := newFakeStore(keyboard, mouse)
	store.putErr = errors.New("fake store: write refused (the test makes this Put fail)")
	h := newHandler(t, rdb, store)
	seed(t, rdb, "product:1", keyboard)

	q := request{method: "PUT", target: "/products/1", body: `{"name":"Split keyboard","price_cents":15900}`}
	res := do(t, h, q)
	if res.code < 500 {
		t.Fatalf("%s with a store whose Put fails: got %s, want a 5xx error (500): the product was not saved, and the client must know", q, res)
	}
	val, _, ok := cached(t, rdb, "product:1")
	var got productJSON
	_ = json.Unmarshal([]byte(val), &got)
	switch {
	case ok && got == asJSON(splitKeyboard):
		t.Fatalf("%s failed in the store, yet Redis key product:1 now holds the new %s: every reader is served a product that was never saved\n"+
			"hint: write the store first; touch the cache only once the write succeeded", q, got)
	case !ok:
		t.Fatalf("%s failed in the store (nothing changed there), yet Redis key product:1 is gone: the cached copy still matched the store, and the next reader pays for a slow miss for nothing\n"+
			"hint: if the store write fails, return the error and leave the cache alone", q)
	case got != asJSON(keyboard):
		t.Fatalf("%s failed in the store, and Redis key product:1 now holds %q, want it untouched (%s)", q, val, asJSON(keyboard))
	}
}
