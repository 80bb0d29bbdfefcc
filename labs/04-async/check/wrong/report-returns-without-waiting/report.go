//go:build labcheck

package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
)

type report struct {
	upstreams map[string]Upstream
}

func newReport(upstreams map[string]Upstream) http.Handler {
	return &report{upstreams: upstreams}
}

type reportResponse struct {
	Sections map[string]any `json:"sections"`
}

func (rp *report) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	errc := make(chan error) // unbuffered: a send waits for a receiver
	var mu sync.Mutex
	sections := make(map[string]any, len(rp.upstreams))
	for name, up := range rp.upstreams {
		go func() {
			v, err := up(ctx)
			if err != nil {
				errc <- fmt.Errorf("%s: %w", name, err)
				return
			}
			mu.Lock()
			sections[name] = v
			mu.Unlock()
			errc <- nil
		}()
	}
	for range rp.upstreams {
		if err := <-errc; err != nil {
			cancel()
			writeProblem(w, http.StatusBadGateway, err.Error()) // and the others are never received
			return
		}
	}
	writeJSON(w, http.StatusOK, reportResponse{Sections: sections})
}
