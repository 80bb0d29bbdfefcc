//go:build labcheck

package main

import (
	"context"
	"log"
	"time"
)

const (
	pollWait   = time.Second
	jobTimeout = 20 * time.Second
)

func (w *Worker) Run(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		default:
		}
		job, ok, err := w.q.Take(ctx, pollWait)
		switch {
		case err != nil && ctx.Err() != nil:
			return nil
		case err != nil:
			log.Printf("worker: %v", err)
			continue
		case !ok:
			continue
		}
		func() {
			jobCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), jobTimeout)
			defer cancel()
			if err := w.handle(jobCtx, job); err != nil {
				log.Printf("worker: job %s: %v", job.ID, err)
			}
		}()
	}
}
