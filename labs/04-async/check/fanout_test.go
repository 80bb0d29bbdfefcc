//go:build labcheck

package main

import (
	"net/http"
	"strings"
	"testing"
)

func TestDashboardCallsUpstreamsConcurrently(t *testing.T) {
	r := newRig(t)
	b := newBarrier(3, r.ctx.Done())
	want := map[string]any{
		"profile": map[string]any{"name": "Ada"},
		"orders":  []any{"#1041", "#1042"},
		"feed":    "3 new posts",
	}
	ups := map[string]Upstream{}
	for name, v := range want {
		ups[name] = b.upstream(v)
	}
	const desc = "GET /api/dashboard (3 upstreams that each wait until all 3 have been called)"
	rec := r.serve(newDashboard(ups, 0), get("/api/dashboard"))

	calls, inFlight := b.stats()
	if calls == 0 {
		t.Fatalf("%s: no upstream was called; got status %d, body %s", desc, rec.Code, show(rec.Body.String()))
	}
	if inFlight < 3 {
		t.Fatalf("%s: only %d of 3 upstreams were in flight at once, want 3: a loop that calls them one after the other waits for each in turn. Start one goroutine per upstream and collect the results through a channel.", desc, inFlight)
	}
	if rec.Code != http.StatusOK {
		t.Fatalf("%s: got status %d, want 200; body %s", desc, rec.Code, show(rec.Body.String()))
	}
	var body dashBody
	decode(t, desc, rec, &body)
	checkSections(t, desc, body.Sections, want)
	if body.Partial == nil || *body.Partial {
		t.Errorf("%s: \"partial\" = %v, want false (every upstream answered); body %s", desc, fmtBool(body.Partial), show(rec.Body.String()))
	}
	if len(body.Missing) != 0 {
		t.Errorf("%s: \"missing\" = %q, want [] (every upstream answered)", desc, body.Missing)
	}
}

func TestDashboardReturnsEverySection(t *testing.T) {
	r := newRig(t)
	b := newBarrier(5, r.ctx.Done())
	want := map[string]any{
		"profile":   map[string]any{"name": "Grace", "team": map[string]any{"id": 7.0, "name": "compilers"}},
		"orders":    []any{},
		"weather":   "sunny",
		"unread":    42.0,
		"incidents": []any{map[string]any{"id": "INC-1", "open": true}},
	}
	ups := map[string]Upstream{}
	for name, v := range want {
		ups[name] = b.upstream(v)
	}
	const desc = "GET /api/dashboard (5 upstreams that each wait until all 5 have been called)"
	rec := r.serve(newDashboard(ups, 0), get("/api/dashboard"))

	calls, inFlight := b.stats()
	if calls == 0 {
		t.Fatalf("%s: no upstream was called; got status %d, body %s", desc, rec.Code, show(rec.Body.String()))
	}
	if inFlight < 5 {
		t.Fatalf("%s: only %d of 5 upstreams were in flight at once, want 5: call every upstream in its own goroutine, however many there are.", desc, inFlight)
	}
	if rec.Code != http.StatusOK {
		t.Fatalf("%s: got status %d, want 200; body %s", desc, rec.Code, show(rec.Body.String()))
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: Content-Type %q, want application/json", desc, ct)
	}
	var body dashBody
	decode(t, desc, rec, &body)
	checkSections(t, desc, body.Sections, want)
	if body.Partial == nil || *body.Partial || len(body.Missing) != 0 {
		t.Errorf("%s: \"partial\" = %v, \"missing\" = %q; want false and [] (every upstream answered)", desc, fmtBool(body.Partial), body.Missing)
	}
}

func fmtBool(b *bool) string {
	if b == nil {
		return "(absent)"
	}
	if *b {
		return "true"
	}
	return "false"
}
