package main

import (
	"context"
	"net/http"
)

// The two halves of GET /api/dashboard that decide what a slow or failing upstream costs the
// page: how long the upstreams get, and what the page says when some of them fail.

// withDeadline returns the context every upstream call of one request runs under, and the
// function that releases it once the handler is done.
func (d *dashboard) withDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	// TODO(deadlines): when d.timeout > 0, derive a context with that deadline from ctx (the
	// request's context) and return it with its cancel. When d.timeout is 0, add no deadline of
	// your own: WithTimeout(ctx, 0) would already be expired.
	return ctx, func() {}
}

// writeDashboard answers GET /api/dashboard with the results of every upstream call.
func writeDashboard(w http.ResponseWriter, results []sectionResult) {
	// TODO(deadlines): a section whose call failed (the deadline, or any other error) is not an
	// error of the page: leave it out of "sections", list its name in "missing" (sorted), set
	// "partial": true, and still answer 200.
	resp := dashboardResponse{Sections: make(map[string]any, len(results)), Missing: []string{}}
	for _, res := range results {
		if res.err != nil {
			writeProblem(w, http.StatusBadGateway, res.name+": "+res.err.Error())
			return
		}
		resp.Sections[res.name] = res.value
	}
	writeJSON(w, http.StatusOK, resp)
}
