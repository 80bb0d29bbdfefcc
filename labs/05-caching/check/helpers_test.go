//go:build labcheck

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// waitLimit bounds every wait of these tests, so broken code fails instead of hanging. It is
// a safety net, never a synchronisation: passing code never comes near it. The fake store and
// the concurrent requests wait longer (holdLimit), so that the test's own wait always ends
// first and can say what went wrong.
const (
	waitLimit = 3 * time.Second
	holdLimit = 3 * waitLimit
)

// Products the fake store starts with.
var (
	keyboard = Product{ID: "1", Name: "Mechanical keyboard", PriceCents: 8900}
	mouse    = Product{ID: "2", Name: "Trackball mouse", PriceCents: 5400}
)

// newRedis connects to REDIS_URL and empties that database (never the others).
func newRedis(t *testing.T) *redis.Client {
	t.Helper()
	url := os.Getenv("REDIS_URL")
	if url == "" {
		t.Fatal("REDIS_URL is not set: these tests need a Redis server. `lab check` starts one for you; " +
			"by hand, run Redis and export REDIS_URL=redis://localhost:6379/1")
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("REDIS_URL %q: %v", url, err)
	}
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { rdb.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if err := rdb.FlushDB(ctx).Err(); err != nil {
		t.Fatalf("cannot reach Redis at %s (REDIS_URL): %v", opt.Addr, err)
	}
	return rdb
}

// fakeStore is the slow database of the tests: in memory, counting calls, and optionally
// holding every Get until the test opens its gate.
type fakeStore struct {
	mu    sync.Mutex
	items map[string]Product

	gets atomic.Int64
	puts atomic.Int64

	putErr    error  // when set, Put fails with it and changes nothing
	duringPut func() // when set, Put calls it before it writes: a reader arriving mid-write

	gate     chan struct{} // when set, Get waits until it is closed
	entered  chan string   // when set, Get sends its id here first
	firstGet chan struct{} // closed by the first Get
	once     sync.Once
}

func newFakeStore(products ...Product) *fakeStore {
	f := &fakeStore{items: make(map[string]Product), firstGet: make(chan struct{})}
	for _, p := range products {
		f.items[p.ID] = p
	}
	return f
}

func (f *fakeStore) Get(ctx context.Context, id string) (Product, error) {
	f.gets.Add(1)
	f.once.Do(func() { close(f.firstGet) })
	if f.entered != nil {
		select {
		case f.entered <- id:
		default:
		}
	}
	if f.gate != nil {
		t := time.NewTimer(holdLimit)
		defer t.Stop()
		select {
		case <-f.gate:
		case <-ctx.Done():
			return Product{}, ctx.Err()
		case <-t.C:
			return Product{}, errors.New("fake store: the test never let this call through (timed out)")
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.items[id]
	if !ok {
		return Product{}, ErrNotFound
	}
	return p, nil
}

func (f *fakeStore) Put(ctx context.Context, p Product) error {
	f.puts.Add(1)
	if f.duringPut != nil {
		f.duringPut()
	}
	if f.putErr != nil {
		return f.putErr
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.items[p.ID] = p
	return nil
}

func (f *fakeStore) product(id string) (Product, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.items[id]
	return p, ok
}

// newHandler calls the learner's newServer, turning a panic into a test failure.
func newHandler(t *testing.T, rdb *redis.Client, store Store) (h http.Handler) {
	t.Helper()
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Fatalf("newServer(rdb, store) panicked: %v", p)
			}
		}()
		h = newServer(rdb, store)
	}()
	if h == nil {
		t.Fatal("newServer(rdb, store) returned a nil http.Handler")
	}
	return h
}

// request describes what a test sends, and prints itself for failure messages.
type request struct {
	method, target, body string
	header               http.Header
	cookies              []*http.Cookie
}

func get(target string) request { return request{method: "GET", target: target} }

func (q request) with(name, value string) request {
	h := q.header.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Add(name, value)
	q.header = h
	return q
}

func (q request) withCookie(c *http.Cookie) request {
	q.cookies = append(append([]*http.Cookie(nil), q.cookies...), &http.Cookie{Name: c.Name, Value: c.Value})
	return q
}

func (q request) String() string {
	s := q.method + " " + q.target
	if q.body != "" {
		s += " " + q.body
	}
	var hs []string
	for k, vs := range q.header {
		hs = append(hs, k+": "+strings.Join(vs, ", "))
	}
	for _, c := range q.cookies {
		hs = append(hs, "Cookie: "+c.Name+"="+abbrev(c.Value))
	}
	sort.Strings(hs)
	if len(hs) > 0 {
		s += " (" + strings.Join(hs, "; ") + ")"
	}
	return s
}

func (q request) build() *http.Request {
	var r *http.Request
	if q.body != "" {
		r = httptest.NewRequest(q.method, q.target, strings.NewReader(q.body))
		r.Header.Set("Content-Type", "application/json")
	} else {
		r = httptest.NewRequest(q.method, q.target, nil)
	}
	for k, vs := range q.header {
		for _, v := range vs {
			r.Header.Add(k, v)
		}
	}
	for _, c := range q.cookies {
		r.AddCookie(c)
	}
	return r
}

type response struct {
	code   int
	header http.Header
	body   []byte
}

func (r response) String() string {
	b := strings.TrimSpace(string(r.body))
	if len(b) > 200 {
		b = b[:200] + "..."
	}
	if b == "" {
		return fmt.Sprintf("%d (empty body)", r.code)
	}
	return fmt.Sprintf("%d %s", r.code, b)
}

func (r response) cookie(name string) *http.Cookie {
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// serve runs one request through h; a panic or a handler that does not return within limit
// is an error.
func serve(h http.Handler, r *http.Request, limit time.Duration) (response, error) {
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	var panicked any
	go func() {
		defer close(done)
		defer func() { panicked = recover() }()
		h.ServeHTTP(rec, r)
	}()
	t := time.NewTimer(limit)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		return response{}, fmt.Errorf("no response after %v (is the handler waiting on something that never happens?)", limit)
	}
	if panicked != nil {
		return response{}, fmt.Errorf("the handler panicked: %v", panicked)
	}
	res := rec.Result()
	return response{code: res.StatusCode, header: res.Header, body: rec.Body.Bytes()}, nil
}

// do sends q and stops the test if the handler panics or hangs.
func do(t *testing.T, h http.Handler, q request) response {
	t.Helper()
	res, err := serve(h, q.build(), waitLimit)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return res
}

// productJSON is the JSON shape of a product, decoded independently of the Product type.
type productJSON struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	PriceCents int64  `json:"price_cents"`
}

func asJSON(p Product) productJSON { return productJSON{p.ID, p.Name, p.PriceCents} }

func (p productJSON) String() string {
	b, _ := json.Marshal(p)
	return string(b)
}

// wantProduct checks that res is 200 with the JSON of p.
func wantProduct(t *testing.T, q request, res response, p Product) {
	t.Helper()
	if res.code != http.StatusOK {
		t.Fatalf("%s: got status %s, want 200 with %s", q, res, asJSON(p))
	}
	var got productJSON
	if err := json.Unmarshal(res.body, &got); err != nil {
		t.Fatalf("%s: got body %q, want the JSON %s", q, res.body, asJSON(p))
	}
	if got != asJSON(p) {
		t.Fatalf("%s: got %s, want %s", q, got, asJSON(p))
	}
}

// cached reads a key from Redis: its value, its TTL, and whether it exists.
func cached(t *testing.T, rdb *redis.Client, key string) (string, time.Duration, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	val, err := rdb.Get(ctx, key).Result()
	if errors.Is(err, redis.Nil) {
		return "", 0, false
	}
	if err != nil {
		if strings.Contains(err.Error(), "WRONGTYPE") {
			t.Fatalf("Redis key %s is not a string (%v): store the JSON with SET", key, err)
		}
		t.Fatalf("Redis GET %s: %v", key, err)
	}
	ttl, err := rdb.TTL(ctx, key).Result()
	if err != nil {
		t.Fatalf("Redis TTL %s: %v", key, err)
	}
	return val, ttl, true
}

// keys lists the keys of the test database, for failure messages.
func keys(t *testing.T, rdb *redis.Client) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	var all []string
	iter := rdb.Scan(ctx, 0, "*", 100).Iterator()
	for iter.Next(ctx) {
		all = append(all, iter.Val())
	}
	sort.Strings(all)
	if len(all) == 0 {
		return "none"
	}
	if len(all) > 10 {
		all = append(all[:10], "...")
	}
	return strings.Join(all, ", ")
}

// seed writes a key as the learner's cache would.
func seed(t *testing.T, rdb *redis.Client, key string, p Product) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	b, _ := json.Marshal(asJSON(p))
	if err := rdb.Set(ctx, key, b, 5*time.Minute).Err(); err != nil {
		t.Fatalf("Redis SET %s: %v", key, err)
	}
}

// wantProductTTL checks a cached product's expiry is within the bounds the lesson gives.
func wantProductTTL(t *testing.T, key string, ttl time.Duration) {
	t.Helper()
	switch {
	case ttl < 0:
		t.Fatalf("Redis key %s has no expiry (TTL %s answers -1): set it with a TTL between 1 and 10 minutes, s.rdb.Set(ctx, key, body, productTTL), so a missed invalidation cannot live forever (an expiration of 0 means no expiry)", key, key)
	case ttl < time.Minute-time.Second || ttl > 10*time.Minute:
		t.Fatalf("Redis key %s has TTL %v, want between 1 and 10 minutes", key, ttl)
	}
}

func abbrev(s string) string {
	if len(s) > 12 {
		return s[:8] + "..."
	}
	return s
}

// waitFor reports whether ch closed (or sent) within waitLimit.
func waitFor[T any](ch <-chan T) bool {
	t := time.NewTimer(waitLimit)
	defer t.Stop()
	select {
	case <-ch:
		return true
	case <-t.C:
		return false
	}
}
