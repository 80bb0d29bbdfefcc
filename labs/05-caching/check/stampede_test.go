//go:build labcheck

package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// missHolder is a go-redis hook: the first GET of key that misses is held (after Redis
// answered) until the test releases it. That request plays the reader who missed the cache
// just before the shared load landed.
type missHolder struct {
	key     string
	taken   atomic.Bool
	held    chan struct{}
	release chan struct{}
	once    sync.Once
}

func newMissHolder(key string) *missHolder {
	return &missHolder{key: key, held: make(chan struct{}), release: make(chan struct{})}
}

func (m *missHolder) releaseNow() { m.once.Do(func() { close(m.release) }) }

func (m *missHolder) DialHook(next redis.DialHook) redis.DialHook { return next }

func (m *missHolder) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

func (m *missHolder) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		args := cmd.Args()
		if errors.Is(err, redis.Nil) && len(args) == 2 && fmt.Sprint(args[0]) == "get" &&
			fmt.Sprint(args[1]) == m.key && m.taken.CompareAndSwap(false, true) {
			close(m.held)
			t := time.NewTimer(holdLimit)
			defer t.Stop()
			select {
			case <-m.release:
			case <-t.C:
			}
		}
		return err
	}
}

// flight is one concurrent request of a stampede.
type flight struct {
	q    request
	done chan struct{}
	res  response
	err  error
}

func launch(h http.Handler, q request) *flight {
	f := &flight{q: q, done: make(chan struct{})}
	go func() {
		defer close(f.done)
		f.res, f.err = serve(h, q.build(), holdLimit)
	}()
	return f
}

// drain waits (bounded) for flights a failing test leaves behind, so they cannot write to
// Redis during the next test.
func drain(flights []*flight) {
	deadline := time.NewTimer(holdLimit)
	defer deadline.Stop()
	for _, f := range flights {
		select {
		case <-f.done:
		case <-deadline.C:
			return
		}
	}
}

// countEntries wraps h, closing allIn once n requests have entered it.
func countEntries(h http.Handler, n int32) (http.Handler, chan struct{}) {
	var entered atomic.Int32
	allIn := make(chan struct{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if entered.Add(1) == n {
			close(allIn)
		}
		h.ServeHTTP(w, r)
	}), allIn
}

// finish waits for every flight and checks each answered 200 with the right product.
func finish(t *testing.T, flights []*flight, want func(i int) Product) {
	t.Helper()
	deadline := time.NewTimer(waitLimit)
	defer deadline.Stop()
	unanswered := 0
	for _, f := range flights {
		select {
		case <-f.done:
		case <-deadline.C:
			unanswered++
			deadline.Reset(0) // the time is up: only count the rest
		}
	}
	if unanswered > 0 {
		t.Fatalf("%d of %d concurrent requests got no response within %v after the store answered: are they waiting on something that never finishes?", unanswered, len(flights), waitLimit)
	}
	for i, f := range flights {
		if f.err != nil {
			t.Fatalf("concurrent request %d, %s: %v", i+1, f.q, f.err)
		}
		wantProduct(t, f.q, f.res, want(i))
	}
}

func TestStampedeFiftyColdReadsOneStoreCall(t *testing.T) {
	const readers = 50
	rdb := newRedis(t)
	store := newFakeStore(keyboard, mouse)
	store.gate = make(chan struct{})
	openGate := sync.OnceFunc(func() { close(store.gate) })
	late := newMissHolder("product:1")
	rdb.AddHook(late)
	h, allIn := countEntries(newHandler(t, rdb, store), readers)
	q := get("/products/1")
	var flights []*flight
	t.Cleanup(func() { openGate(); late.releaseNow(); drain(flights) })

	// Reader 1 misses the cache and is held right after its Redis GET.
	flights = append(flights, launch(h, q))
	select {
	case <-late.held:
	case <-store.firstGet:
	case <-flights[0].done:
	case <-time.After(waitLimit):
	}
	// Readers 2 to 50 arrive while the store is slow: it answers nobody yet.
	for i := 1; i < readers; i++ {
		flights = append(flights, launch(h, q))
	}
	if !waitFor(allIn) {
		t.Fatalf("not all %d concurrent %s reached the handler within %v", readers, q, waitLimit)
	}
	if !waitFor(store.firstGet) {
		t.Fatalf("%d concurrent %s on an empty cache: none called the store within %v", readers, q, waitLimit)
	}
	openGate()
	finish(t, flights[1:], func(int) Product { return keyboard })

	// Now reader 1 goes on, with its miss from before the load landed.
	late.releaseNow()
	finish(t, flights[:1], func(int) Product { return keyboard })

	calls := store.gets.Load()
	switch {
	case calls == 1:
	case calls < readers/2:
		t.Fatalf("%d concurrent %s on an empty cache made %d store calls, want 1. "+
			"The concurrent misses mostly shared one load, but a request whose Redis GET missed just before that load "+
			"finished started another one afterwards. Inside the shared (singleflight) function, check Redis once more "+
			"before calling the store", readers, q, calls)
	default:
		t.Fatalf("%d concurrent %s on an empty cache made %d store calls, want 1: concurrent misses of the same key "+
			"must share one load (for example singleflight.Group.Do keyed by the id)", readers, q, calls)
	}
	if _, _, ok := cached(t, rdb, "product:1"); !ok {
		t.Fatalf("after %d concurrent %s, Redis has no key product:1 (keys: %s)", readers, q, keys(t, rdb))
	}
}

func TestStampedeCoalescesPerKey(t *testing.T) {
	const readers = 20
	rdb := newRedis(t)
	store := newFakeStore(keyboard, mouse)
	store.gate = make(chan struct{})
	store.entered = make(chan string, 100)
	openGate := sync.OnceFunc(func() { close(store.gate) })
	h, allIn := countEntries(newHandler(t, rdb, store), readers)
	var flights []*flight
	t.Cleanup(func() { openGate(); drain(flights) })

	ids := func(i int) string { return []string{"1", "2"}[i%2] }
	for i := 0; i < readers; i++ {
		flights = append(flights, launch(h, get("/products/"+ids(i))))
	}
	if !waitFor(allIn) {
		t.Fatalf("not all %d concurrent requests reached the handler within %v", readers, waitLimit)
	}
	// The store answers nobody until both products are being loaded.
	seen := map[string]bool{}
	timeout := time.NewTimer(waitLimit)
	defer timeout.Stop()
	for !seen["1"] || !seen["2"] {
		select {
		case id := <-store.entered:
			seen[id] = true
		case <-timeout.C:
			t.Fatalf("%d concurrent reads, half GET /products/1 and half GET /products/2, on an empty cache: while one product "+
				"was loading, the other's load never started (waited %v). Coalesce per key (singleflight key = the id), "+
				"not with one lock for every product", readers, waitLimit)
		}
	}
	openGate()
	finish(t, flights, func(i int) Product { return map[string]Product{"1": keyboard, "2": mouse}[ids(i)] })
	if n := store.gets.Load(); n != 2 {
		t.Fatalf("%d concurrent reads, half GET /products/1 and half GET /products/2, on an empty cache made %d store calls, want 2 (one per product)", readers, n)
	}
}
