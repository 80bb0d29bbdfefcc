//go:build labcheck

package main

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
)

// tracer records the order in which middleware and handlers run.
type tracer struct {
	mu     sync.Mutex
	events []string
}

func (tr *tracer) add(e string) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.events = append(tr.events, e)
}

func (tr *tracer) get() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return slices.Clone(tr.events)
}

func (tr *tracer) mw(name string) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			tr.add(name + " in")
			next.ServeHTTP(w, r)
			tr.add(name + " out")
		})
	}
}

func (tr *tracer) handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tr.add("handler")
		w.WriteHeader(http.StatusOK)
	})
}

func TestChainRunsInOrder(t *testing.T) {
	tr := &tracer{}
	h := build(t, "chain(h, a, b, c)", func() http.Handler {
		return chain(tr.handler(), tr.mw("a"), tr.mw("b"), tr.mw("c"))
	})
	mustServe(t, h, request("GET", "/", nil), "chain(h, a, b, c): GET /")
	got := tr.get()
	want := []string{"a in", "b in", "c in", "handler", "c out", "b out", "a out"}
	if !slices.Equal(got, want) {
		hint := ""
		switch {
		case slices.Equal(got, []string{"handler"}):
			hint = "\nhint: the middleware never ran: chain must wrap h in each of mws"
		case slices.Equal(got, []string{"c in", "b in", "a in", "handler", "a out", "b out", "c out"}):
			hint = "\nhint: the order is reversed: wrap from the last middleware to the first, so mws[0] ends up outermost"
		}
		t.Fatalf("chain(h, a, b, c): GET / ran\n  got  %s\n  want %s%s", strings.Join(got, " → "), strings.Join(want, " → "), hint)
	}

	// No middleware at all: the handler itself.
	tr2 := &tracer{}
	h = build(t, "chain(h)", func() http.Handler { return chain(tr2.handler()) })
	mustServe(t, h, request("GET", "/", nil), "chain(h): GET /")
	if got := tr2.get(); !slices.Equal(got, []string{"handler"}) {
		t.Fatalf("chain(h) with no middleware: GET / ran %v, want [handler]", got)
	}
}

func TestChainOuterMiddlewareCanStopTheRequest(t *testing.T) {
	deny := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "denied", http.StatusForbidden) // and no call to next
		})
	}

	tr := &tracer{}
	h := build(t, "chain(h, deny, inner)", func() http.Handler {
		return chain(tr.handler(), deny, tr.mw("inner"))
	})
	rec := mustServe(t, h, request("GET", "/", nil), "chain(h, deny, inner): GET /")
	if rec.Code != http.StatusForbidden || len(tr.get()) != 0 {
		t.Fatalf("chain(h, deny, inner) where deny answers 403 without calling next: GET / got status %d and ran %v, want status 403 and nothing else run (deny is the outermost, so inner and h never see the request)",
			rec.Code, tr.get())
	}

	tr = &tracer{}
	h = build(t, "chain(h, outer, deny)", func() http.Handler {
		return chain(tr.handler(), tr.mw("outer"), deny)
	})
	rec = mustServe(t, h, request("GET", "/", nil), "chain(h, outer, deny): GET /")
	want := []string{"outer in", "outer out"}
	if got := tr.get(); rec.Code != http.StatusForbidden || !slices.Equal(got, want) {
		t.Fatalf("chain(h, outer, deny): GET / got status %d and ran %v, want status 403 and ran %v", rec.Code, got, want)
	}
}
