//go:build labcheck

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
	for {
		job, ok, err := w.q.Take(context.WithoutCancel(ctx), pollWait)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			log.Printf("worker: take: %v", err)
			select {
			case <-ctx.Done():
			case <-time.After(pollWait):
			}
			continue
		}
		if !ok {
			if ctx.Err() != nil {
				return nil
			}
			continue
		}
		// The job gets its own context: cancelling Run must not abort an email half sent.
		jobCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), jobTimeout)
		if err := w.handle(jobCtx, job); err != nil {
			log.Printf("worker: job %s: %v", job.ID, err)
		}
		cancel()
	}
	return nil
}
