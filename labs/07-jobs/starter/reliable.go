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
	// TODO(reliable-worker): RPOP takes the job out of Redis: if the worker dies now, the job
	// is gone. Move it instead, atomically, to jobs:processing: LMOVE jobs:queue
	// jobs:processing RIGHT LEFT when wait == 0, BLMOVE with the timeout wait otherwise
	// (q.rdb.LMove, q.rdb.BLMove). Then write the lease, q.clock.Now() + visibilityTimeout,
	// into the job's hash (say "lease_until", in Unix milliseconds) before markRunning.
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
	// TODO(reliable-worker): in one transaction, LREM the id from jobs:processing (count 1),
	// set state done, and drop the lease.
	return q.rdb.HSet(ctx, jobKey(id), "state", stateDone).Err()
}

// RecoverStale puts back on the queue every job in jobs:processing whose lease ended at or
// before now: the worker that took it has crashed or hangs. It returns how many it moved.
func (q *Queue) RecoverStale(ctx context.Context, now time.Time) (int, error) {
	// TODO(reliable-worker): for each id in jobs:processing (LRANGE 0 -1) whose lease is at or
	// before now: remove it from jobs:processing and push it back on jobs:queue (RPUSH: it is
	// the next one taken), state queued. Do the remove-and-push atomically, and only if the
	// LREM removed it (a Lua script): a worker may ack it at the same moment. Leave the jobs
	// whose lease has not ended alone.
	return 0, nil
}
