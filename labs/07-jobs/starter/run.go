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
	// TODO(graceful-stop): once ctx is cancelled, take no new job, finish the one in hand
	// (a stop must not abort an email half sent), and return nil.
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
