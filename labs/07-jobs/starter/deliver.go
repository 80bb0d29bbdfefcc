package main

import "context"

// deliver sends a job's email at most once, however many times the job is delivered: the
// queue is at-least-once, so the same job can come back after it was sent (a worker that
// crashed before its Ack, a lease that ran out while the worker was still busy).
func (w *Worker) deliver(ctx context.Context, job Job) error {
	// TODO(idempotent): a job that comes back after its email was sent must not send it
	// again. Before sending, look for a mark that this job's email went out (for example a
	// field "sent_at" in job:{id}: HEXISTS); if it is there, return nil (the job is done).
	// After a successful Send, and only then, write the mark. The job's state cannot tell
	// you: Take has just set it to running.
	return w.sender.Send(ctx, job.ID, job.Email)
}
