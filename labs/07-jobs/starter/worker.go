package main

import (
	"context"
	"fmt"
	"log"
)

// Worker takes jobs from a Queue and sends their emails with a Sender. The hidden tests build
// it with NewWorker(queue, fakeSender) and drive it one job at a time with ProcessOne.
type Worker struct {
	q      *Queue
	sender Sender
}

// NewWorker returns a worker for q that sends with sender.
func NewWorker(q *Queue, sender Sender) *Worker {
	return &Worker{q: q, sender: sender}
}

// ProcessOne takes one job, if there is one, and handles it: send, then Ack or Fail. It
// returns false when the queue was empty. The error is about the queue (Redis), not about
// the email: a failed send is recorded by Fail and is not an error here.
func (w *Worker) ProcessOne(ctx context.Context) (bool, error) {
	job, ok, err := w.q.Take(ctx, 0)
	if err != nil || !ok {
		return false, err
	}
	return true, w.handle(ctx, job)
}

// handle sends a job's email and records the outcome. A panic in the sender is a failed
// attempt like any other, not the end of the worker.
func (w *Worker) handle(ctx context.Context, job Job) (err error) {
	sendErr := func() (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("panic: %v", p)
			}
		}()
		return w.deliver(ctx, job)
	}()
	if sendErr != nil {
		log.Printf("job %s: attempt %d failed: %v", job.ID, job.Attempts, sendErr)
		return w.q.Fail(ctx, job, sendErr)
	}
	return w.q.Ack(ctx, job.ID)
}
