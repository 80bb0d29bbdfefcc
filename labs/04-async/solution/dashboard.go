package main

import (
	"context"
	"log"
	"net/http"
	"slices"
	"time"
)

// dashboard serves GET /api/dashboard: one section per upstream, best effort.
type dashboard struct {
	upstreams map[string]Upstream
	timeout   time.Duration // 0: no limit of our own, only the request's
}

// newDashboard returns the handler of GET /api/dashboard. It calls every upstream concurrently
// and answers once they have all returned. timeout, when positive, is a deadline for the whole
// request; sections that failed or ran out of time are listed in "missing".
func newDashboard(upstreams map[string]Upstream, timeout time.Duration) http.Handler {
	return &dashboard{upstreams: upstreams, timeout: timeout}
}

// dashboardResponse is the body of GET /api/dashboard.
type dashboardResponse struct {
	Sections map[string]any `json:"sections"` // upstream name -> what it returned
	Partial  bool           `json:"partial"`  // true when at least one section is missing
	Missing  []string       `json:"missing"`  // names of the upstreams that failed or timed out, sorted
}

// sectionResult is what one upstream call produced.
type sectionResult struct {
	name  string
	value any
	err   error
}

func (d *dashboard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The request's context ends when the client goes away (or when its own deadline passes);
	// ours adds the dashboard's deadline on top. cancel releases the timer as soon as we are done.
	ctx := r.Context()
	if d.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d.timeout)
		defer cancel()
	}

	// Buffered: every goroutine can hand over its result and exit, whoever is (or is not)
	// still reading.
	results := make(chan sectionResult, len(d.upstreams))
	for name, up := range d.upstreams {
		go func() {
			v, err := up(ctx)
			results <- sectionResult{name: name, value: v, err: err}
		}()
	}

	// Wait for every goroutine we started: the deadline makes the slow ones return, so this
	// loop ends by then at the latest, and no goroutine outlives the request.
	resp := dashboardResponse{Sections: make(map[string]any, len(d.upstreams)), Missing: []string{}}
	for range len(d.upstreams) {
		res := <-results
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
