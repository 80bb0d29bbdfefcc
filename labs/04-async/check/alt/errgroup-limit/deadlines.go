//go:build labcheck

package main

import (
	"context"
	"log"
	"net/http"
	"slices"
	"time"
)

// The two halves of GET /api/dashboard that decide what a slow or failing upstream costs the
// page: how long the upstreams get, and what the page says when some of them fail.

// withDeadline returns the context every upstream call of one request runs under, and the
// function that releases it once the handler is done.
func (d *dashboard) withDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	// The request's context ends when the client goes away (or when its own deadline passes);
	// ours adds the dashboard's deadline on top. cancel releases the timer as soon as we are done.
	if d.timeout <= 0 {
		return context.WithCancel(ctx) // no deadline of our own; the request's still applies
	}
	return context.WithDeadline(ctx, time.Now().Add(d.timeout))
}

// writeDashboard answers GET /api/dashboard with the results of every upstream call.
func writeDashboard(w http.ResponseWriter, results []sectionResult) {
	resp := dashboardResponse{Sections: make(map[string]any, len(results)), Missing: []string{}}
	for _, res := range results {
		if res.err != nil {
			log.Printf("dashboard: %s: %v", res.name, res.err)
			resp.Missing = append(resp.Missing, res.name)
			continue
		}
		resp.Sections[res.name] = res.value
	}
	slices.Sort(resp.Missing)
	resp.Partial = len(resp.Missing) > 0
	writeJSON(w, http.StatusOK, resp)
}
