//go:build labcheck

package main

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"
)

type Checker func(ctx context.Context) error

type health struct {
	checks   map[string]Checker
	draining atomic.Bool
}

func newHealth(checks map[string]Checker) *health { return &health{checks: checks} }

func (h *health) startDraining() { h.draining.Store(true) }

type healthReport struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks,omitempty"`
}

func (h *health) live(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, healthReport{Status: "ok"})
}

// ready fans the checks out and collects their results over a channel.
func (h *health) ready(w http.ResponseWriter, r *http.Request) {
	if h.draining.Load() {
		writeJSON(w, http.StatusServiceUnavailable, healthReport{Status: "draining"})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 1500*time.Millisecond)
	defer cancel()
	type result struct{ name, text string }
	results := make(chan result, len(h.checks))
	for name, check := range h.checks {
		go func() {
			text := "ok"
			if err := check(ctx); err != nil {
				text = err.Error()
			}
			results <- result{name, text}
		}()
	}
	report := healthReport{Status: "ok", Checks: map[string]string{}}
	for range h.checks {
		res := <-results
		report.Checks[res.name] = res.text
		if res.text != "ok" {
			report.Status = "unavailable"
		}
	}
	if report.Status != "ok" {
		writeJSON(w, http.StatusServiceUnavailable, report)
		return
	}
	writeJSON(w, http.StatusOK, report)
}
