//go:build labcheck

package main

import (
	"context"
	"log"
	"time"
)

// sentKey marks a job whose email went out; it outlives the job hash's own expiry a little.
func sentKey(id string) string { return "job:" + id + ":sent" }

func (w *Worker) deliver(ctx context.Context, job Job) error {
	n, err := w.q.rdb.Exists(ctx, sentKey(job.ID)).Result()
	if err != nil {
		return err
	}
	if n == 1 {
		return nil
	}
	if err := w.sender.Send(ctx, job.ID, job.Email); err != nil {
		return err
	}
	if err := w.q.rdb.Set(ctx, sentKey(job.ID), w.q.clock.Now().UnixMilli(), 8*24*time.Hour).Err(); err != nil {
		log.Printf("job %s: sent, but the mark failed: %v", job.ID, err)
	}
	return nil
}
