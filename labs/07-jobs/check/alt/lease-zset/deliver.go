//go:build labcheck

package main

import (
	"context"
	"log"
	"time"
)

// deliver sends a job's email at most once, however many times the job is delivered: the
// queue is at-least-once, so the same job can come back after it was sent (a worker that
// crashed before its Ack, a lease that ran out while the worker was still busy).
func (w *Worker) deliver(ctx context.Context, job Job) error {
	sent, err := w.q.rdb.HExists(ctx, jobKey(job.ID), "sent_at").Result()
	if err != nil {
		return err
	}
	if sent {
		log.Printf("job %s: already sent, not sending again", job.ID)
		return nil
	}
	if err := w.sender.Send(ctx, job.ID, job.Email); err != nil {
		return err
	}
	// Only after the provider accepted it: a failed send must be retried.
	now := w.q.clock.Now().UTC().Format(time.RFC3339Nano)
	if err := w.q.rdb.HSetNX(ctx, jobKey(job.ID), "sent_at", now).Err(); err != nil {
		// The email is gone: failing the job now would send it again.
		log.Printf("job %s: sent, but recording it failed: %v", job.ID, err)
	}
	return nil
}
