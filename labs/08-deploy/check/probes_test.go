//go:build labcheck

package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// labCheck is a Checker the test controls: it counts its calls and returns err.
type labCheck struct {
	calls atomic.Int32
	err   error
}

func (c *labCheck) check(ctx context.Context) error {
	c.calls.Add(1)
	return c.err
}

// labProbeServer builds the handler the way main does, with the test's checkers.
func labProbeServer(t *testing.T, checks map[string]Checker) (http.Handler, *health) {
	t.Helper()
	var h *health
	var srv http.Handler
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Fatalf("newServer(newHealth(checks)) panicked: %v\n%s", p, labStack())
			}
		}()
		h = newHealth(checks)
		if h == nil {
			t.Fatalf("newHealth(checks) returned nil")
		}
		srv = newServer(h)
	}()
	if srv == nil {
		t.Fatalf("newServer(h) returned a nil http.Handler")
	}
	return srv, h
}

var (
	labErrDatabase = errors.New("dial tcp 10.0.0.5:5432: connect: connection refused")
	labErrRedis    = errors.New("dial tcp 10.0.0.6:6379: i/o timeout")
)

func TestLivezDoesNotCheckDependencies(t *testing.T) {
	db, rdb := &labCheck{err: labErrDatabase}, &labCheck{err: labErrRedis}
	srv, _ := labProbeServer(t, map[string]Checker{"database": db.check, "redis": rdb.check})
	e := labServe(t, srv, http.MethodGet, "/livez")
	const setup = "with the database and Redis both down"
	e.wantStatus(http.StatusOK, setup+": liveness asks \"is this process stuck?\", not \"are my dependencies up?\". If it failed now, the kubelet would restart every replica, in a loop, and the database would not come back any sooner")
	if n := db.calls.Load() + rdb.calls.Load(); n != 0 {
		e.fail(fmt.Sprintf("%s: the checkers were called %d times, want 0: liveness must not depend on the database or Redis", setup, n))
	}
	if r := e.healthReport(); r.Status != "ok" {
		e.fail(fmt.Sprintf(`got "status": %q, want "ok"`, r.Status))
	}
}

func TestReadyzIs200WhenDependenciesAreUp(t *testing.T) {
	db, rdb := &labCheck{}, &labCheck{}
	srv, _ := labProbeServer(t, map[string]Checker{"database": db.check, "redis": rdb.check})
	e := labServe(t, srv, http.MethodGet, "/readyz")
	e.wantStatus(http.StatusOK, "both checkers return nil: the replica is ready")
	if db.calls.Load() == 0 || rdb.calls.Load() == 0 {
		e.fail(fmt.Sprintf("the database checker was called %d times and the Redis one %d times, want each called: readiness checks what the replica needs to serve", db.calls.Load(), rdb.calls.Load()))
	}
	r := e.healthReport()
	if r.Status != "ok" || r.Checks["database"] != "ok" || r.Checks["redis"] != "ok" {
		e.fail(fmt.Sprintf(`got "status": %q, "checks": %v; want "status": "ok", "checks": {"database": "ok", "redis": "ok"}`, r.Status, r.Checks))
	}
}

func TestReadyzIs503WhenADependencyIsDown(t *testing.T) {
	for _, down := range []string{"database", "redis"} {
		checks := map[string]*labCheck{"database": {}, "redis": {}}
		errs := map[string]error{"database": labErrDatabase, "redis": labErrRedis}
		checks[down].err = errs[down]
		srv, _ := labProbeServer(t, map[string]Checker{"database": checks["database"].check, "redis": checks["redis"].check})
		e := labServe(t, srv, http.MethodGet, "/readyz")
		setup := fmt.Sprintf("with the %s checker returning %q", down, errs[down])
		e.wantStatus(http.StatusServiceUnavailable, setup+": a replica that cannot reach a dependency is not ready, and 503 Service Unavailable is what says so (the kubelet counts any status from 200 to 399 as success)")
		r := e.healthReport()
		up := map[string]string{"database": "redis", "redis": "database"}[down]
		if r.Status != "unavailable" {
			e.fail(fmt.Sprintf(`%s: got "status": %q, want "unavailable"`, setup, r.Status))
		}
		if !strings.Contains(r.Checks[down], errs[down].Error()) {
			e.fail(fmt.Sprintf(`%s: got "checks": {"%s": %q}, want the checker's error there: it is what the operator reads first`, setup, down, r.Checks[down]))
		}
		if r.Checks[up] != "ok" {
			e.fail(fmt.Sprintf(`%s: got "checks": {"%s": %q}, want "ok": that one is up`, setup, up, r.Checks[up]))
		}
	}
}

func TestReadyzRunsChecksConcurrentlyWithATimeout(t *testing.T) {
	// Each checker waits until both have been called: that only happens when they run at the
	// same time. Each also records the deadline of its context.
	var mu sync.Mutex
	arrived := 0
	both := make(chan struct{})
	deadlines := map[string]time.Duration{} // how far away each check's deadline was
	noDeadline := map[string]bool{}
	guard := time.After(labGuard / 2) // before labServe's own guard
	barrier := func(name string) Checker {
		return func(ctx context.Context) error {
			mu.Lock()
			dl, ok := ctx.Deadline()
			if !ok {
				noDeadline[name] = true
				mu.Unlock()
				return errors.New("lab: this check got a context without a deadline")
			}
			deadlines[name] = time.Until(dl)
			arrived++
			if arrived == 2 {
				close(both)
			}
			mu.Unlock()
			select {
			case <-both:
				return nil
			case <-ctx.Done():
				return fmt.Errorf("lab: the other check never started: %w", ctx.Err())
			case <-guard:
				return errors.New("lab: the other check never started")
			}
		}
	}
	srv, _ := labProbeServer(t, map[string]Checker{"database": barrier("database"), "redis": barrier("redis")})
	e := labServe(t, srv, http.MethodGet, "/readyz")
	mu.Lock()
	defer mu.Unlock()
	for _, name := range []string{"database", "redis"} {
		d, called := deadlines[name]
		switch {
		case noDeadline[name]:
			e.fail(fmt.Sprintf("the %s checker got a context without a deadline, want one of a few seconds", name),
				"a check that hangs (a firewall dropping packets) would hang the probe: the kubelet gives up after timeoutSeconds and you learn nothing. ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)")
		case called && d > 5*time.Second:
			e.fail(fmt.Sprintf("the %s checker got a context with a deadline %v away, want at most 5s (the lesson uses 2s)", name, d.Round(time.Second)))
		}
	}
	if e.status != http.StatusOK || len(deadlines) != 2 {
		// One check waited for the other until its deadline: they ran one after the other.
		e.fail("each checker waits until the other one has started, and here one waited in vain until its deadline: the checks ran one after the other, want them run at the same time",
			"start one goroutine per check (sync.WaitGroup) and wait for all: the probe then takes as long as the slowest check, not the sum of all")
	}
}

func TestReadyzIs503WhileDrainingButLivezIs200(t *testing.T) {
	db, rdb := &labCheck{}, &labCheck{}
	srv, h := labProbeServer(t, map[string]Checker{"database": db.check, "redis": rdb.check})
	h.startDraining()
	e := labServe(t, srv, http.MethodGet, "/readyz")
	const setup = "after h.startDraining(), with both dependencies up"
	e.wantStatus(http.StatusServiceUnavailable, setup+": a replica that is shutting down must stop getting new requests, and failing readiness is how it tells the load balancer. Check h.draining first in ready")
	if r := e.healthReport(); r.Status != "draining" {
		e.fail(fmt.Sprintf(`%s: got "status": %q, want "draining"`, setup, r.Status))
	}
	e = labServe(t, srv, http.MethodGet, "/livez")
	e.wantStatus(http.StatusOK, setup+": a draining process is still alive; a failing liveness probe now would get it killed in the middle of its shutdown")
}
