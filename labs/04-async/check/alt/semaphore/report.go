//go:build labcheck

package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
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
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	sections := make(map[string]any, len(rp.upstreams))
	for name, up := range rp.upstreams {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := up(ctx)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = fmt.Errorf("%s: %w", name, err)
					cancel()
				}
				return
			}
			sections[name] = v
		}()
	}
	wg.Wait()
	if firstErr != nil {
		writeProblem(w, http.StatusBadGateway, firstErr.Error())
		return
	}
	writeJSON(w, http.StatusOK, reportResponse{Sections: sections})
}
