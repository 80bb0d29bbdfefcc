package main

import (
	"context"
	"time"
)

// The retry policy: attempt n failed, try again after retryDelay(n); after maxAttempts
// attempts the job goes to the dead-letter queue.
const (
	maxAttempts = 5
	retryBase   = 5 * time.Second
	retryMax    = 10 * time.Minute
)

// retryDelay is the wait after failed attempt n (1, 2, ...): 5s, 10s, 20s, 40s, ... doubling,
// never more than retryMax.
func retryDelay(attempt int) time.Duration {
	// TODO(retries): the wait after failed attempt n: retryBase, doubled after each attempt,
	// never more than retryMax, for any n.
	return 0
}

// Fail records that an attempt at job failed with cause and removes the job from
// jobs:processing. It schedules another attempt after retryDelay(job.Attempts), or, after
// maxAttempts attempts or a permanent failure, moves the job to jobs:dead.
func (q *Queue) Fail(ctx context.Context, job Job, cause error) error {
	// TODO(retries): the attempt is over: record the error, then either schedule another
	// attempt after retryDelay, or, after maxAttempts or a permanent failure, move the job to
	// the dead letters. One transaction.
	return q.rdb.HSet(ctx, jobKey(job.ID), "state", "failed", "last_error", cause.Error()).Err()
}
