package main

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

// visibilityTimeout is how long a worker may hold a job before the queue assumes it crashed
// and gives the job to another worker. Longer than any job may take (see jobTimeout).
const visibilityTimeout = 30 * time.Second

// Take moves the oldest job from jobs:queue to jobs:processing and marks it running. With
// wait > 0 it blocks up to wait for a job (BLMOVE); with wait == 0 it returns at once. ok is
// false when there was no job.
func (q *Queue) Take(ctx context.Context, wait time.Duration) (job Job, ok bool, err error) {
	// TODO(reliable-worker): RPOP takes the job out of Redis: if the worker dies now, the
	// job is gone. Keep it visible in jobs:processing until it is acked, and give it a lease
	// (lease_until, Unix milliseconds of the queue's clock) before markRunning.
	id, err := q.rdb.RPop(ctx, queueKey).Result()
	if errors.Is(err, redis.Nil) {
		return Job{}, false, nil
	}
	if err != nil {
		return Job{}, false, err
	}
	job, err = q.markRunning(ctx, id)
	if err != nil {
		return Job{}, false, err
	}
	return job, true, nil
}

// Ack records that job id is done and removes it from jobs:processing.
func (q *Queue) Ack(ctx context.Context, id string) error {
	// TODO(reliable-worker): the job is done: out of jobs:processing, state done, in one step.
	return q.rdb.HSet(ctx, jobKey(id), "state", stateDone).Err()
}

// RecoverStale puts back on the queue every job in jobs:processing whose lease ended at or
// before now: the worker that took it has crashed or hangs. It returns how many it moved.
func (q *Queue) RecoverStale(ctx context.Context, now time.Time) (int, error) {
	// TODO(reliable-worker): put back on the queue the jobs whose lease ended at or before
	// now, unless they were acked meanwhile; start a lease for a job that has none yet.
	// Return how many moved.
	return 0, nil
}
