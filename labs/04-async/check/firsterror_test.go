//go:build labcheck

package main

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

func TestReportFirstErrorCancelsTheOthers(t *testing.T) {
	r := newRig(t)
	var tr tracker
	entered := make(chan struct{}, 2)
	type ending struct {
		name string
		err  error // nil: never cancelled
	}
	ended := make(chan ending, 2)

	// prices and shipping answer only when their context is done.
	waiting := func(name string) Upstream {
		return func(ctx context.Context) (any, error) {
			tr.enter()
			defer tr.exit()
			entered <- struct{}{}
			select {
			case <-ctx.Done():
				ended <- ending{name, ctx.Err()}
				return nil, ctx.Err()
			case <-r.ctx.Done():
				ended <- ending{name, nil}
				return nil, errors.New("lab check: " + name + " gave up: its context was never cancelled")
			}
		}
	}
	// stock fails, once the two others are in flight.
	stock := func(ctx context.Context) (any, error) {
		tr.enter()
		defer tr.exit()
		for range 2 {
			select {
			case <-entered:
			case <-r.ctx.Done():
				return nil, errors.New("lab check: stock gave up waiting for prices and shipping to be called")
			}
		}
		return nil, errors.New("warehouse exploded")
	}
	ups := map[string]Upstream{"prices": waiting("prices"), "shipping": waiting("shipping"), "stock": stock}
	const desc = "GET /api/report (stock fails with \"warehouse exploded\" once prices and shipping are in flight; they answer only when their context is done)"
	rec := r.serve(newReport(ups), get("/api/report"))

	calls, inFlight := tr.stats()
	if calls == 0 {
		t.Fatalf("%s: no upstream was called; got status %d, body %s", desc, rec.Code, show(rec.Body.String()))
	}
	if inFlight < 3 {
		t.Fatalf("%s: only %d of 3 upstreams were in flight at once, want 3: start every call with g.Go before waiting with g.Wait", desc, inFlight)
	}
	if rec.Code != http.StatusBadGateway {
		t.Fatalf("%s: got status %d, want 502 (an upstream failed, so there is no report); body %s", desc, rec.Code, show(rec.Body.String()))
	}
	body := rec.Body.String()
	if !strings.Contains(body, "warehouse exploded") || !strings.Contains(body, "stock") {
		hint := ""
		if strings.Contains(body, "context canceled") {
			hint = " It names a call that was cancelled: report the first error (g.Wait returns it), not the ones it caused."
		}
		t.Errorf("%s: body %s, want a problem whose detail names the failure, \"stock: warehouse exploded\".%s", desc, show(body), hint)
	}
	for range 2 {
		var e ending
		select {
		case e = <-ended:
		case <-r.hard.Done():
			t.Fatalf("%s: prices or shipping never returned", desc)
		}
		if e.err == nil {
			t.Fatalf("%s: %s was never cancelled after stock failed (it gave up by itself when the tests' safety limit tripped); want its context cancelled: use g, ctx := errgroup.WithContext(r.Context()) and pass that ctx to every call", desc, e.name)
		}
		if !errors.Is(e.err, context.Canceled) {
			t.Errorf("%s: %s's context ended with %v, want context.Canceled", desc, e.name, e.err)
		}
	}
}

func TestReportReturnsEverySection(t *testing.T) {
	r := newRig(t)
	b := newBarrier(3, r.ctx.Done())
	want := map[string]any{"prices": map[string]any{"total": 1999.0}, "stock": "in stock", "shipping": []any{"DHL", "UPS"}}
	ups := map[string]Upstream{}
	for name, v := range want {
		ups[name] = b.upstream(v)
	}
	const desc = "GET /api/report (3 upstreams that each wait until all 3 have been called)"
	rec := r.serve(newReport(ups), get("/api/report"))

	calls, inFlight := b.stats()
	if calls == 0 {
		t.Fatalf("%s: no upstream was called; got status %d, body %s", desc, rec.Code, show(rec.Body.String()))
	}
	if inFlight < 3 {
		t.Fatalf("%s: only %d of 3 upstreams were in flight at once, want 3: one g.Go per upstream", desc, inFlight)
	}
	if rec.Code != http.StatusOK {
		t.Fatalf("%s: got status %d, want 200; body %s", desc, rec.Code, show(rec.Body.String()))
	}
	var body dashBody
	decode(t, desc, rec, &body)
	checkSections(t, desc, body.Sections, want)
}
