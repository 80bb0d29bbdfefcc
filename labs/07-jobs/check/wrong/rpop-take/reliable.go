//go:build labcheck

package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// visibilityTimeout is how long a worker may hold a job before the queue assumes it crashed
// and gives the job to another worker. Longer than any job may take (see jobTimeout).
const visibilityTimeout = 30 * time.Second

// doneTTL is how long the hash of a finished job is kept, for GET /jobs/{id}.
const doneTTL = 7 * 24 * time.Hour

// Take moves the oldest job from jobs:queue to jobs:processing and marks it running. With
// wait > 0 it blocks up to wait for a job (BLMOVE); with wait == 0 it returns at once. ok is
// false when there was no job.
func (q *Queue) Take(ctx context.Context, wait time.Duration) (job Job, ok bool, err error) {
	var id string
	if wait > 0 {
		var res []string
		res, err = q.rdb.BRPop(ctx, wait, queueKey).Result()
		if err == nil {
			id = res[1]
		}
	} else {
		id, err = q.rdb.RPop(ctx, queueKey).Result()
	}
	if errors.Is(err, redis.Nil) {
		return Job{}, false, nil
	}
	if err != nil {
		return Job{}, false, err
	}
	// The job is ours now: finish the bookkeeping even if ctx is cancelled meanwhile, or the
	// job sits in jobs:processing until its lease runs out.
	ctx = context.WithoutCancel(ctx)
	lease := q.clock.Now().Add(visibilityTimeout)
	if err := q.rdb.HSet(ctx, jobKey(id), "lease_until", lease.UnixMilli()).Err(); err != nil {
		return Job{}, false, err
	}
	job, err = q.markRunning(ctx, id)
	if errors.Is(err, ErrNotFound) {
		// An id without a job: nothing to run. Drop it rather than take it again and again.
		q.rdb.LRem(ctx, processingKey, 1, id)
		q.rdb.Del(ctx, jobKey(id))
		return Job{}, false, fmt.Errorf("take: %s in %s has no hash: dropped", id, queueKey)
	}
	if err != nil {
		return Job{}, false, err
	}
	return job, true, nil
}

// Ack records that job id is done and removes it from jobs:processing.
func (q *Queue) Ack(ctx context.Context, id string) error {
	_, err := q.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.LRem(ctx, processingKey, 1, id)
		p.HSet(ctx, jobKey(id), "state", stateDone)
		p.HDel(ctx, jobKey(id), "lease_until")
		p.Expire(ctx, jobKey(id), doneTTL)
		return nil
	})
	return err
}

// requeue moves one job from jobs:processing back onto the queue, only if it is still in
// jobs:processing: a worker may ack it, or another sweeper requeue it, at the same moment.
// The right end of jobs:queue is the next to be taken: a recovered job has waited enough.
var requeue = redis.NewScript(`
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 0 then
  return 0
end
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[3], 'state', 'queued')
redis.call('HDEL', KEYS[3], 'lease_until')
return 1
`)

// RecoverStale puts back on the queue every job in jobs:processing whose lease ended at or
// before now: the worker that took it has crashed or hangs. It returns how many it moved.
func (q *Queue) RecoverStale(ctx context.Context, now time.Time) (int, error) {
	ids, err := q.rdb.LRange(ctx, processingKey, 0, -1).Result()
	if err != nil {
		return 0, err
	}
	moved := 0
	for _, id := range ids {
		raw, err := q.rdb.HGet(ctx, jobKey(id), "lease_until").Result()
		if errors.Is(err, redis.Nil) {
			// Taken by a worker that stopped before it wrote the lease (or is writing it now):
			// start the clock here. HSETNX leaves a lease the worker wrote meanwhile alone.
			q.rdb.HSetNX(ctx, jobKey(id), "lease_until", now.Add(visibilityTimeout).UnixMilli())
			continue
		}
		if err != nil {
			return moved, err
		}
		until, _ := strconv.ParseInt(raw, 10, 64)
		if until > now.UnixMilli() {
			continue
		}
		n, err := requeue.Run(ctx, q.rdb, []string{processingKey, queueKey, jobKey(id)}, id).Int()
		if err != nil {
			return moved, err
		}
		moved += n
	}
	return moved, nil
}
