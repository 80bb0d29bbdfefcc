package main

import "context"

// deliver sends a job's email at most once, however many times the job is delivered: the
// queue is at-least-once, so the same job can come back after it was sent (a worker that
// crashed before its Ack, a lease that ran out while the worker was still busy).
func (w *Worker) deliver(ctx context.Context, job Job) error {
	// TODO(idempotent): a job that comes back after its email went out must not send it
	// again; a job whose earlier send failed must still send it.
	return w.sender.Send(ctx, job.ID, job.Email)
}
