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
	// TODO(retries): retryBase doubled attempt-1 times, capped at retryMax. Beware of
	// retryBase << (attempt-1): for a large attempt it overflows.
	return 0
}

// Fail records that an attempt at job failed with cause and removes the job from
// jobs:processing. It schedules another attempt after retryDelay(job.Attempts), or, after
// maxAttempts attempts or a permanent failure, moves the job to jobs:dead.
func (q *Queue) Fail(ctx context.Context, job Job, cause error) error {
	// TODO(retries): in one transaction: LREM the id from jobs:processing and drop its lease;
	// then either (job.Attempts < maxAttempts and not errors.Is(cause, ErrPermanent)) state
	// retrying, last_error, and ZADD jobs:scheduled at q.clock.Now()+retryDelay(job.Attempts)
	// in Unix milliseconds; or state dead, last_error, and LPUSH the id onto jobs:dead.
	return q.rdb.HSet(ctx, jobKey(job.ID), "state", "failed", "last_error", cause.Error()).Err()
}
