package main

import (
	"context"
	"io"
	"net/http"
	"sync/atomic"
)

// A Checker reports whether one dependency can be used right now: nil when it can.
type Checker func(ctx context.Context) error

// health answers the probes. checks are the dependencies readiness depends on, by name.
type health struct {
	checks   map[string]Checker
	draining atomic.Bool
}

func newHealth(checks map[string]Checker) *health {
	return &health{checks: checks}
}

// startDraining makes readiness fail from now on: the process is shutting down, so load
// balancers must stop sending it new requests. Liveness is not affected.
func (h *health) startDraining() { h.draining.Store(true) }

// healthReport is the JSON body of both probes.
type healthReport struct {
	Status string            `json:"status"`           // "ok", "unavailable" or "draining"
	Checks map[string]string `json:"checks,omitempty"` // per dependency: "ok" or the error
}

// live answers GET /livez.
//
// TODO(probes): liveness asks "is this process stuck?": answer 200 {"status":"ok"} without
// calling any checker. A database outage must not get every replica restarted.
func (h *health) live(w http.ResponseWriter, r *http.Request) { h.check(w, r) }

// ready answers GET /readyz.
//
// TODO(probes): readiness asks "should this replica get traffic now?":
//   - while draining: 503 {"status":"draining"};
//   - else run every check at the same time, each with a context of at most 2s, and answer
//     200 {"status":"ok","checks":{"database":"ok","redis":"ok"}} when all pass, or
//     503 {"status":"unavailable","checks":{"database":"<its error>","redis":"ok"}}.
//
// Reply with writeJSON (server.go).
func (h *health) ready(w http.ResponseWriter, r *http.Request) { h.check(w, r) }

// check is the naive probe the starter uses for both: it asks every dependency, one after the
// other, with no time limit.
func (h *health) check(w http.ResponseWriter, r *http.Request) {
	for name, check := range h.checks {
		if err := check(r.Context()); err != nil {
			http.Error(w, name+": "+err.Error(), http.StatusInternalServerError)
			return
		}
	}
	io.WriteString(w, "ok\n")
}
