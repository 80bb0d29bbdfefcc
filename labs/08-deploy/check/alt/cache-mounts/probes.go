//go:build labcheck

package main

import (
	"context"
	"net/http"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

type Checker func(ctx context.Context) error

type health struct {
	checks map[string]Checker

	mu       sync.RWMutex
	draining bool
}

func newHealth(checks map[string]Checker) *health { return &health{checks: checks} }

func (h *health) startDraining() {
	h.mu.Lock()
	h.draining = true
	h.mu.Unlock()
}

func (h *health) isDraining() bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.draining
}

type healthReport struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks,omitempty"`
}

func (h *health) live(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, healthReport{Status: "ok"})
}

// ready runs every check in an errgroup (plain Group: one failing check must not cancel the
// others, the report names each), each under its own deadline.
func (h *health) ready(w http.ResponseWriter, r *http.Request) {
	if h.isDraining() {
		writeJSON(w, http.StatusServiceUnavailable, healthReport{Status: "draining"})
		return
	}
	var mu sync.Mutex
	checks := make(map[string]string, len(h.checks))
	var g errgroup.Group
	for name, check := range h.checks {
		g.Go(func() error {
			ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
			defer cancel()
			err := check(ctx)
			mu.Lock()
			defer mu.Unlock()
			checks[name] = "ok"
			if err != nil {
				checks[name] = err.Error()
			}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, healthReport{Status: "unavailable", Checks: checks})
		return
	}
	writeJSON(w, http.StatusOK, healthReport{Status: "ok", Checks: checks})
}
