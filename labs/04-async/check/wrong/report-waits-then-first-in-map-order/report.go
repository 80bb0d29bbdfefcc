//go:build labcheck

package main

import (
	"fmt"
	"net/http"
	"sync"

	"golang.org/x/sync/errgroup"
)

// report serves GET /api/report: every section or nothing.
type report struct {
	upstreams map[string]Upstream
}

// newReport returns the handler of GET /api/report. It calls every upstream concurrently; the
// first failure cancels the calls still running and the answer is 502 naming that failure.
func newReport(upstreams map[string]Upstream) http.Handler {
	return &report{upstreams: upstreams}
}

// reportResponse is the body of a successful GET /api/report.
type reportResponse struct {
	Sections map[string]any `json:"sections"`
}

func (rp *report) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// ctx is cancelled as soon as one g.Go function returns an error (or the client leaves).
	var g errgroup.Group
	ctx := r.Context()
	var mu sync.Mutex
	sections := make(map[string]any, len(rp.upstreams))
	for name, up := range rp.upstreams {
		g.Go(func() error {
			v, err := up(ctx)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			mu.Lock()
			sections[name] = v
			mu.Unlock()
			return nil
		})
	}
	// Wait returns once every function has returned, with the first error: the real failure,
	// not the "context canceled" of the calls it cancelled.
	if err := g.Wait(); err != nil {
		writeProblem(w, http.StatusBadGateway, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, reportResponse{Sections: sections})
}
