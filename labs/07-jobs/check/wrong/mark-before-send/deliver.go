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
	// Mark it first: if we crash after sending, the mark is already there.
	now := w.q.clock.Now().UTC().Format(time.RFC3339Nano)
	if err := w.q.rdb.HSet(ctx, jobKey(job.ID), "sent_at", now).Err(); err != nil {
		return err
	}
	return w.sender.Send(ctx, job.ID, job.Email)
}
