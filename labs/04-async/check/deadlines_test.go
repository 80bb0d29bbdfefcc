//go:build labcheck

package main

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"
)

// never is a fake upstream that answers only when its context is done, like a well-behaved
// client of a service that hangs. It reports the context's error on seen; if nothing cancels it,
// it gives up by itself after giveUp (of fake time, in a bubble) and reports nil.
func never(seen chan<- error, giveUp time.Duration) Upstream {
	return func(ctx context.Context) (any, error) {
		timer := time.NewTimer(giveUp)
		defer timer.Stop()
		select {
		case <-ctx.Done():
			seen <- ctx.Err()
			return nil, ctx.Err()
		case <-timer.C:
			seen <- nil
			return "answered too late", nil
		}
	}
}

// checkPartial checks a 200 answer whose only missing section is missing.
func checkPartial(t *testing.T, desc string, body dashBody, sections map[string]any, missing []string) {
	t.Helper()
	checkSections(t, desc, body.Sections, sections)
	if body.Partial == nil || !*body.Partial {
		t.Errorf("%s: \"partial\" = %s, want true (a section is missing)", desc, fmtBool(body.Partial))
	}
	if !slices.Equal(body.Missing, missing) {
		t.Errorf("%s: \"missing\" = %q, want %q (the upstreams that failed or ran out of time, sorted)", desc, body.Missing, missing)
	}
}

func TestDashboardDeadlineReturnsPartialResult(t *testing.T) {
	requireConcurrentDashboard(t)
	inBubble(t, func(t *testing.T) {
		const timeout = 2 * time.Second
		r := newRigWithin(t, time.Minute)
		seen := make(chan error, 1)
		sections := map[string]any{"profile": map[string]any{"name": "Ada"}, "orders": []any{"#1041"}}
		ups := map[string]Upstream{
			"profile": fast(sections["profile"]),
			"orders":  fast(sections["orders"]),
			"feed":    never(seen, 30*time.Second),
		}
		const desc = "GET /api/dashboard (newDashboard(..., 2s); feed answers only when its context is done)"
		start := time.Now()
		rec := r.serve(newDashboard(ups, timeout), get("/api/dashboard"))
		elapsed := time.Since(start)

		var err error
		select {
		case err = <-seen:
		default:
			t.Fatalf("%s: feed was never called (got status %d, body %s)", desc, rec.Code, show(rec.Body.String()))
		}
		if err == nil {
			t.Fatalf("%s: feed's context was never cancelled (it gave up by itself after 30s of fake time); want it cancelled by the 2s deadline. In withDeadline (deadlines.go), return context.WithTimeout(ctx, d.timeout) when d.timeout > 0; ServeHTTP defers its cancel and must pass that ctx to every upstream.", desc)
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("%s: feed's context ended with %v, want context.DeadlineExceeded (the deadline, not a cancel of your own)", desc, err)
		}
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: got status %d, want 200 with a partial body: a missing section is not an error of the whole page (writeDashboard in deadlines.go); body %s", desc, rec.Code, show(rec.Body.String()))
		}
		if elapsed > timeout {
			t.Errorf("%s: answered after %v (fake clock), want %v: the answer should leave as soon as the deadline has cancelled the slow call", desc, elapsed, timeout)
		}
		var body dashBody
		decode(t, desc, rec, &body)
		checkPartial(t, desc, body, sections, []string{"feed"})
	})
}

func TestDashboardHonoursTheRequestDeadline(t *testing.T) {
	requireConcurrentDashboard(t)
	inBubble(t, func(t *testing.T) {
		const deadline = 500 * time.Millisecond
		r := newRigWithin(t, time.Minute)
		seen := make(chan error, 1)
		sections := map[string]any{"profile": "Grace", "weather": "rain"}
		ups := map[string]Upstream{
			"profile":  fast(sections["profile"]),
			"weather":  fast(sections["weather"]),
			"calendar": never(seen, 30*time.Second),
		}
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		defer cancel()
		const desc = "GET /api/dashboard (newDashboard(..., 0), a request whose context has a 500ms deadline; calendar answers only when its context is done)"
		start := time.Now()
		rec := r.serve(newDashboard(ups, 0), get("/api/dashboard").WithContext(ctx))
		elapsed := time.Since(start)

		var err error
		select {
		case err = <-seen:
		default:
			t.Fatalf("%s: calendar was never called (got status %d, body %s)", desc, rec.Code, show(rec.Body.String()))
		}
		if err == nil {
			t.Fatalf("%s: calendar's context was never cancelled (it gave up by itself after 30s of fake time); want it to end with the request's own deadline: derive the upstreams' context from r.Context()", desc)
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("%s: calendar's context ended with %v, want context.DeadlineExceeded", desc, err)
		}
		if elapsed != deadline {
			t.Fatalf("%s: answered after %v (fake clock), want %v, the request's deadline: with timeout 0, withDeadline must not add a deadline of its own (context.WithTimeout(ctx, 0) is already expired)", desc, elapsed, deadline)
		}
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: got status %d, want 200 with a partial body; body %s", desc, rec.Code, show(rec.Body.String()))
		}
		var body dashBody
		decode(t, desc, rec, &body)
		checkPartial(t, desc, body, sections, []string{"calendar"})
	})
}

func TestDashboardMarksFailedUpstreamMissing(t *testing.T) {
	r := newRig(t)
	sections := map[string]any{"profile": "Ada", "feed": []any{"post 1"}}
	ups := map[string]Upstream{
		"profile": fast(sections["profile"]),
		"feed":    fast(sections["feed"]),
		"orders":  failing("orders database is down"),
		"billing": failing("billing: 503 Service Unavailable"),
	}
	const desc = "GET /api/dashboard (orders and billing fail at once)"
	rec := r.serve(newDashboard(ups, 0), get("/api/dashboard"))
	if rec.Code != http.StatusOK {
		t.Fatalf("%s: got status %d, want 200 with a partial body: the page shows what it has and names what is missing (writeDashboard in deadlines.go); body %s", desc, rec.Code, show(rec.Body.String()))
	}
	var body dashBody
	decode(t, desc, rec, &body)
	checkPartial(t, desc, body, sections, []string{"billing", "orders"})
}
