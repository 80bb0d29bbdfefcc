package main

import (
	"context"
	"log"
	"time"
)

const (
	// pollWait is how long Run blocks in BLMOVE for a job before it looks at ctx again.
	pollWait = time.Second
	// jobTimeout bounds one job. It is shorter than visibilityTimeout, so that a job still
	// running is never handed to a second worker.
	jobTimeout = 20 * time.Second
)

// Run takes and handles jobs until ctx is cancelled. A job already taken when ctx is cancelled
// is finished (sent and acked, or failed) before Run returns; no job is taken after that.
func (w *Worker) Run(ctx context.Context) error {
	// TODO(graceful-stop): this loop hands ctx to the job itself, so a cancel (Ctrl-C,
	// SIGTERM) aborts the email half sent. Take with ctx and w.q.Take(ctx, pollWait), but
	// handle the job with its own context: context.WithTimeout(context.WithoutCancel(ctx),
	// jobTimeout) and w.handle(jobCtx, job). Check ctx before each Take, and return nil once
	// it is cancelled: a requested stop is not an error.
	for {
		ok, err := w.ProcessOne(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			log.Printf("worker: %v", err)
		}
		if !ok {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(pollWait):
			}
		}
	}
}
