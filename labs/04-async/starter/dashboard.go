package main

import (
	"net/http"
	"time"
)

// dashboard serves GET /api/dashboard: one section per upstream, best effort.
type dashboard struct {
	upstreams map[string]Upstream
	timeout   time.Duration // 0: no limit of our own, only the request's
}

// newDashboard returns the handler of GET /api/dashboard. The hidden tests build it with fake
// upstreams: keep this signature.
func newDashboard(upstreams map[string]Upstream, timeout time.Duration) http.Handler {
	return &dashboard{upstreams: upstreams, timeout: timeout}
}

// dashboardResponse is the body of GET /api/dashboard.
type dashboardResponse struct {
	Sections map[string]any `json:"sections"` // upstream name -> what it returned
	Partial  bool           `json:"partial"`  // true when at least one section is missing
	Missing  []string       `json:"missing"`  // names of the upstreams that failed or timed out, sorted
}

// sectionResult is what one upstream call produced: what a goroutine hands back to the handler.
type sectionResult struct {
	name  string
	value any
	err   error
}

// ServeHTTP calls every upstream and answers with what they returned. The deadline
// (withDeadline) and the page built from the results (writeDashboard) are in deadlines.go.
func (d *dashboard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := d.withDeadline(r.Context()) // task deadlines, in deadlines.go
	defer cancel()

	// TODO(fan-out): this calls the upstreams one after the other, so the page takes the SUM of
	// their latencies. Call them all at once and answer when every call has returned: the page
	// then takes the slowest one. No goroutine may be left blocked behind.
	results := make([]sectionResult, 0, len(d.upstreams))
	for name, up := range d.upstreams {
		v, err := up(ctx)
		results = append(results, sectionResult{name: name, value: v, err: err})
	}
	writeDashboard(w, results) // task deadlines, in deadlines.go
}
