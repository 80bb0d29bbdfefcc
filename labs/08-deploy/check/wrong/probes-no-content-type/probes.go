//go:build labcheck

package main

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// A Checker reports whether one dependency can be used right now: nil when it can.
type Checker func(ctx context.Context) error

// checkTimeout bounds each Checker: a probe that hangs is a probe that fails, and the kubelet
// gives up on it after timeoutSeconds anyway.
const checkTimeout = 2 * time.Second

// health answers the probes. checks are the dependencies readiness depends on, by name.
type health struct {
	checks   map[string]Checker
	draining atomic.Bool
}

func newHealth(checks map[string]Checker) *health {
	return &health{checks: checks}
}

// startDraining makes readiness fail from now on: the process is shutting down, so load
// balancers must stop sending it new requests. Liveness is not affected.
func (h *health) startDraining() { h.draining.Store(true) }

// healthReport is the JSON body of both probes.
type healthReport struct {
	Status string            `json:"status"`           // "ok", "unavailable" or "draining"
	Checks map[string]string `json:"checks,omitempty"` // per dependency: "ok" or the error
}

// live answers GET /livez: is this process able to make progress at all? It checks nothing
// outside the process. If it did, a database outage would get every replica restarted, in a
// loop, and fix nothing.
func (h *health) live(w http.ResponseWriter, r *http.Request) {
	w.Write([]byte(`{"status":"ok"}` + "\n"))
}

// ready answers GET /readyz: should this replica get traffic now? Not while draining, and not
// while a dependency it needs is down. The checks run concurrently, each bounded by checkTimeout.
func (h *health) ready(w http.ResponseWriter, r *http.Request) {
	if h.draining.Load() {
		writeJSON(w, http.StatusServiceUnavailable, healthReport{Status: "draining"})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), checkTimeout)
	defer cancel()

	report := healthReport{Status: "ok", Checks: make(map[string]string, len(h.checks))}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for name, check := range h.checks {
		wg.Go(func() {
			result := "ok"
			if err := check(ctx); err != nil {
				result = err.Error()
			}
			mu.Lock()
			defer mu.Unlock()
			report.Checks[name] = result
			if result != "ok" {
				report.Status = "unavailable"
			}
		})
	}
	wg.Wait()

	status := http.StatusOK
	if report.Status != "ok" {
		status = http.StatusServiceUnavailable
	}
	writeJSON(w, status, report)
}
