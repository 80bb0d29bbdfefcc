//go:build labcheck

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// safety bounds every wait of these tests so that unfinished code fails instead of hanging. It
// is a safety net, never a synchronisation: correct code gets there in microseconds, through the
// barriers and channels below.
const safety = 3 * time.Second

// rig holds what one test started, and stops it at the end.
type rig struct {
	t       *testing.T
	ctx     context.Context // done once the safety net trips: the fakes give up then
	cancel  context.CancelFunc
	hard    context.Context // a later limit for waiting on handlers, so they get to answer after the fakes gave up
	cancelH context.CancelFunc
	mu      sync.Mutex
	calls   []*call
}

func newRig(t *testing.T) *rig { return newRigWithin(t, safety) }

// newRigWithin is newRig with another limit. In a synctest bubble, time is fake: a minute costs
// nothing.
func newRigWithin(t *testing.T, limit time.Duration) *rig {
	r := &rig{t: t}
	r.ctx, r.cancel = context.WithTimeout(context.Background(), limit)
	r.hard, r.cancelH = context.WithTimeout(context.Background(), 2*limit)
	t.Cleanup(r.close)
	return r
}

// call is one request running in its own goroutine.
type call struct {
	desc string // "GET /api/dashboard", for messages
	rec  *httptest.ResponseRecorder
	done chan struct{}
}

// start serves req with h in a new goroutine.
func (r *rig) start(h http.Handler, req *http.Request) *call {
	c := &call{desc: req.Method + " " + req.URL.Path, rec: httptest.NewRecorder(), done: make(chan struct{})}
	r.mu.Lock()
	r.calls = append(r.calls, c)
	r.mu.Unlock()
	go func() {
		defer close(c.done)
		h.ServeHTTP(c.rec, req)
	}()
	return c
}

// wait returns the answer of c, or fails the test when it does not come.
func (r *rig) wait(c *call) *httptest.ResponseRecorder {
	r.t.Helper()
	select {
	case <-c.done:
		return c.rec
	case <-r.hard.Done():
		r.t.Fatalf("%s did not answer within %v (the tests' safety limit, after which every fake gives up): is the handler waiting for something that never happens (a channel nobody sends to, a WaitGroup that never reaches zero)?", c.desc, safety)
		return nil
	}
}

// serve is start and wait.
func (r *rig) serve(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	r.t.Helper()
	return r.wait(r.start(h, req))
}

func (r *rig) close() {
	r.cancel()
	defer r.cancelH()
	r.mu.Lock()
	calls := r.calls
	r.mu.Unlock()
	for _, c := range calls {
		select {
		case <-c.done:
			continue
		default:
		}
		select {
		case <-c.done:
		case <-r.hard.Done():
			r.t.Logf("%s was still running when the test ended", c.desc)
			return
		}
	}
}

// inBubble runs f in a testing/synctest bubble: time is fake there and only moves when every
// goroutine of the bubble is blocked, so a 2s deadline fires exactly 2s after it was set, right
// after everything that could happen before it has happened.
func inBubble(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		msg := fmt.Sprint(p)
		switch {
		case strings.Contains(msg, "blocked goroutines remain"):
			// Goroutines the handler started are stuck: the no-leaks task reports it; the
			// other tasks do not fail for it.
			t.Logf("note: goroutines started by the handler were still blocked when the test ended (the no-leaks task is about this)")
		case strings.Contains(msg, "deadlock"):
			t.Errorf("every goroutine of the test got blocked with no timer left to fire (%s): the handler waits for something that never happens", msg)
		default:
			panic(p)
		}
	}()
	synctest.Test(t, f)
}

func get(path string) *http.Request {
	return httptest.NewRequest(http.MethodGet, path, nil)
}

func postJSON(path string, body any) *http.Request {
	b, err := json.Marshal(body)
	if err != nil {
		panic(err)
	}
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	return req
}

// tracker counts the calls of fake upstreams and how many were running at the same time.
type tracker struct {
	mu          sync.Mutex
	calls       int
	inFlight    int
	maxInFlight int
}

func (tr *tracker) enter() int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.calls++
	tr.inFlight++
	tr.maxInFlight = max(tr.maxInFlight, tr.inFlight)
	return tr.inFlight
}

func (tr *tracker) exit() {
	tr.mu.Lock()
	tr.inFlight--
	tr.mu.Unlock()
}

// stats returns how many calls were made and the most that were in flight at once.
func (tr *tracker) stats() (calls, maxInFlight int) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return tr.calls, tr.maxInFlight
}

// barrier makes fake upstreams that hold each call until `want` calls are in flight together,
// then all answer. A handler that calls them one after the other never gets there: the first
// fake gives up when the safety net trips, and the test reports how many were in flight.
type barrier struct {
	tracker
	want   int
	giveUp <-chan struct{}
	once   sync.Once
	all    chan struct{}
}

func newBarrier(want int, giveUp <-chan struct{}) *barrier {
	return &barrier{want: want, giveUp: giveUp, all: make(chan struct{})}
}

func (b *barrier) upstream(value any) Upstream {
	return func(ctx context.Context) (any, error) {
		if b.enter() == b.want {
			b.once.Do(func() { close(b.all) })
		}
		defer b.exit()
		select {
		case <-b.all:
			return value, nil
		case <-b.giveUp:
			return nil, errors.New("lab check: this fake upstream gave up waiting for the others to be called")
		}
	}
}

// fast is a fake upstream that answers at once (and ignores ctx).
func fast(value any) Upstream {
	return func(context.Context) (any, error) { return value, nil }
}

// failing is a fake upstream that fails at once.
func failing(msg string) Upstream {
	return func(context.Context) (any, error) { return nil, errors.New(msg) }
}

// dashBody is the body of GET /api/dashboard.
type dashBody struct {
	Sections map[string]json.RawMessage `json:"sections"`
	Partial  *bool                      `json:"partial"`
	Missing  []string                   `json:"missing"`
}

// decode parses rec's body into v, or fails the test showing the body.
func decode(t *testing.T, desc string, rec *httptest.ResponseRecorder, v any) {
	t.Helper()
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		t.Fatalf("%s: body is not the JSON expected (%v): %s", desc, err, show(rec.Body.String()))
	}
}

// sameJSON reports whether raw encodes the same JSON value as want.
func sameJSON(raw json.RawMessage, want any) bool {
	var got, w any
	if err := json.Unmarshal(raw, &got); err != nil {
		return false
	}
	b, err := json.Marshal(want)
	if err != nil {
		return false
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return false
	}
	return reflect.DeepEqual(got, w)
}

// checkSections compares a sections object with the values the fakes returned.
func checkSections(t *testing.T, desc string, got map[string]json.RawMessage, want map[string]any) {
	t.Helper()
	for name, w := range want {
		raw, ok := got[name]
		if !ok {
			t.Errorf("%s: \"sections\" has no %q, want %s (sections: %s)", desc, name, mustJSON(w), mustJSON(got))
			continue
		}
		if !sameJSON(raw, w) {
			t.Errorf("%s: sections[%q] = %s, want %s (what that upstream returned)", desc, name, raw, mustJSON(w))
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s: \"sections\" has %q = %s, want no such section", desc, name, got[name])
		}
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return string(b)
}

// show shortens a body for a message.
func show(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 400 {
		s = s[:400] + "…"
	}
	if s == "" {
		return "(empty body)"
	}
	return s
}

// The fake-clock tests have one weakness: inside a bubble, a goroutine waiting on a sync.Mutex
// is not "durably blocked", so the fake clock stops. Code that holds a lock around an upstream
// or resize call (which also makes the calls run one at a time) would hang there instead of
// failing. So before entering a bubble, these checks make sure on the real clock, once per test
// binary, that the calls do run at the same time.

var dashboardPrecheck = sync.OnceValue(func() string {
	ctx, cancel := context.WithTimeout(context.Background(), safety)
	defer cancel()
	b := newBarrier(3, ctx.Done())
	ups := map[string]Upstream{"a": b.upstream(1), "b": b.upstream(2), "c": b.upstream(3)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		newDashboard(ups, 0).ServeHTTP(httptest.NewRecorder(), get("/api/dashboard"))
	}()
	hard := time.NewTimer(2 * safety)
	defer hard.Stop()
	select {
	case <-done:
	case <-hard.C:
	}
	if _, inFlight := b.stats(); inFlight < 3 {
		return fmt.Sprintf("this test needs the fan-out task first: with 3 fake upstreams that wait for each other, only %d were in flight at once (want 3)", inFlight)
	}
	return ""
})

func requireConcurrentDashboard(t *testing.T) {
	t.Helper()
	if msg := dashboardPrecheck(); msg != "" {
		t.Fatal(msg)
	}
}

var thumbnailsPrecheck = sync.OnceValue(func() string {
	ctx, cancel := context.WithTimeout(context.Background(), safety)
	defer cancel()
	const n = 3
	var tr tracker
	var once sync.Once
	all := make(chan struct{})
	resize := func(_ context.Context, img string) (string, error) {
		if tr.enter() == n {
			once.Do(func() { close(all) })
		}
		defer tr.exit()
		select {
		case <-all:
			return "thumb-" + img, nil
		case <-ctx.Done():
			return "", errors.New("lab check: gave up waiting for the other calls")
		}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		newThumbnails(n, resize).ServeHTTP(httptest.NewRecorder(), postJSON("/api/thumbnails", map[string]any{"images": []string{"a.png", "b.png", "c.png"}}))
	}()
	hard := time.NewTimer(2 * safety)
	defer hard.Stop()
	select {
	case <-done:
	case <-hard.C:
	}
	if _, inFlight := tr.stats(); inFlight < n {
		return fmt.Sprintf("POST /api/thumbnails {\"images\": [3 images]} with newThumbnails(3, ...): only %d of the 3 resize calls were in flight at once (each waits until all 3 have started), want 3: 3 workers means 3 calls run at the same time. A loop that resizes one image after the other (or a lock held around the call) never gets there: start a pool of `workers` goroutines.", inFlight)
	}
	return ""
})

func requireConcurrentThumbnails(t *testing.T) {
	t.Helper()
	if msg := thumbnailsPrecheck(); msg != "" {
		t.Fatal(msg)
	}
}
