//go:build labcheck

package main

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// Each test first checks that the feature works (a handler that starts no goroutine leaks none,
// but it does not do the job either), then asks goleak for the goroutines that were not there
// before the request and are still there after it.

func checkNoLeak(t *testing.T, after string, opt goleak.Option) {
	t.Helper()
	if err := goleak.Find(opt); err != nil {
		t.Fatalf("after %s, goroutines it started are still running; want none (every goroutine ends before its request does):\n%v", after, err)
	}
}

func TestNoLeakAfterDashboardDeadline(t *testing.T) {
	requireConcurrentDashboard(t)
	inBubble(t, func(t *testing.T) {
		opt := goleak.IgnoreCurrent()
		r := newRigWithin(t, time.Minute)
		seen := make(chan error, 2)
		ups := map[string]Upstream{
			"profile": fast("Ada"),
			"feed":    never(seen, 30*time.Second),
			"orders":  never(seen, 30*time.Second),
		}
		const desc = "GET /api/dashboard (newDashboard(..., 1s); feed and orders answer only when their context is done)"
		rec := r.serve(newDashboard(ups, time.Second), get("/api/dashboard"))
		var body dashBody
		if rec.Code == http.StatusOK {
			decode(t, desc, rec, &body)
		}
		if rec.Code != http.StatusOK || body.Partial == nil || !*body.Partial {
			t.Fatalf("%s: got status %d, body %s; want 200 with \"partial\": true. Make the deadlines task pass first.", desc, rec.Code, show(rec.Body.String()))
		}
		checkNoLeak(t, desc+" answered", opt)
	})
}

func TestNoLeakAfterReportFailure(t *testing.T) {
	opt := goleak.IgnoreCurrent()
	r := newRig(t)
	var tr tracker
	in := make(chan struct{}, 2)
	waiting := func(ctx context.Context) (any, error) {
		tr.enter()
		defer tr.exit()
		in <- struct{}{}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-r.ctx.Done():
			return nil, errors.New("lab check: never cancelled")
		}
	}
	failFast := func(ctx context.Context) (any, error) {
		tr.enter()
		defer tr.exit()
		for range 2 {
			select {
			case <-in:
			case <-r.ctx.Done():
				return nil, errors.New("lab check: gave up waiting for the others to be called")
			}
		}
		return nil, errors.New("card declined")
	}
	ups := map[string]Upstream{"a": waiting, "b": waiting, "payment": failFast}
	const desc = "GET /api/report (payment fails once a and b are in flight)"
	rec := r.serve(newReport(ups), get("/api/report"))
	if _, inFlight := tr.stats(); rec.Code != http.StatusBadGateway || inFlight < 3 {
		t.Fatalf("%s: got status %d with %d upstreams in flight at once, body %s; want 502 with all 3 in flight. Make the first-error task pass first.", desc, rec.Code, inFlight, show(rec.Body.String()))
	}
	checkNoLeak(t, desc+" answered", opt)
}

func TestNoLeakAfterThumbnails(t *testing.T) {
	requireConcurrentThumbnails(t)
	opt := goleak.IgnoreCurrent()
	r := newRig(t)
	rr := newResizeRig(r, 7, 3)
	const desc = "POST /api/thumbnails {\"images\": [7 images]} with newThumbnails(3, ...)"
	c := r.start(newThumbnails(3, rr.resize), postJSON("/api/thumbnails", map[string]any{"images": rr.images}))
	rr.drive(t, desc, c, false)
	r.wait(c)
	checkThumbnails(t, desc, c, rr.images)
	checkNoLeak(t, desc+" answered", opt)
}

func TestNoLeakAfterChatDisconnect(t *testing.T) {
	r := newRig(t)
	h := newChat() // a goroutine the room starts for itself here is fine: it is not per request
	opt := goleak.IgnoreCurrent()
	a := connect(t, r, h, "A", false)
	b := connect(t, r, h, "B", false)
	say(t, r, h, "ada", "bye")
	a.waitMessages(t, r, 1, "1 message posted while A and B were connected")
	b.waitMessages(t, r, 1, "1 message posted while A and B were connected")
	for _, c := range []*sseClient{a, b} {
		c.cancel()
		select {
		case <-c.done:
		case <-r.ctx.Done():
			t.Fatalf("GET /api/chat/stream (client %s): the handler did not return after the client disconnected", c.name)
		}
	}
	checkNoLeak(t, "clients A and B disconnected and their stream handlers returned", opt)
}
