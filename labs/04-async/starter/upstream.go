package main

import (
	"context"
	"time"
)

// Upstream is one slow back end the dashboard and the report read from: a profile service, an
// orders database, a recommendation engine. It must return promptly once ctx is done, with
// ctx.Err() (or an error wrapping it). The value it returns is put into the JSON answer as is.
//
// In production an Upstream would wrap an HTTP call made with http.NewRequestWithContext(ctx,
// ...), which gives that behaviour for free. The hidden tests pass fakes.
type Upstream func(ctx context.Context) (any, error)

// simulated is an Upstream for `go run .`: it answers value after latency, or gives up early
// when ctx is done.
func simulated(latency time.Duration, value any) Upstream {
	return func(ctx context.Context) (any, error) {
		t := time.NewTimer(latency)
		defer t.Stop()
		select {
		case <-t.C:
			return value, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}
