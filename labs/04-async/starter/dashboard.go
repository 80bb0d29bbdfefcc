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

func (d *dashboard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// TODO(fan-out): this calls the upstreams one after the other, so the page takes the SUM of
	// their latencies. Call them all at once (one goroutine each), collect the results through a
	// channel, and answer when every call has returned: the page then takes the slowest one.

	// TODO(deadlines): when d.timeout > 0, derive a context with that deadline from r.Context()
	// (and defer its cancel). Pass it to the upstreams. A section whose call fails (the deadline,
	// or any other error) is not an error of the page: leave it out of "sections", list its name
	// in "missing" (sorted), set "partial": true, and still answer 200.
	ctx := r.Context()
	resp := dashboardResponse{Sections: make(map[string]any, len(d.upstreams)), Missing: []string{}}
	for name, up := range d.upstreams {
		v, err := up(ctx)
		if err != nil {
			writeProblem(w, http.StatusBadGateway, name+": "+err.Error())
			return
		}
		resp.Sections[name] = v
	}
	writeJSON(w, http.StatusOK, resp)
}
