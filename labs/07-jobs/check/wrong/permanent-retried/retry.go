//go:build labcheck

package main

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
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
	d := retryBase
	for i := 1; i < attempt; i++ {
		d *= 2
		if d >= retryMax {
			return retryMax
		}
	}
	return d
}

// Fail records that an attempt at job failed with cause and removes the job from
// jobs:processing. It schedules another attempt after retryDelay(job.Attempts), or, after
// maxAttempts attempts or a permanent failure, moves the job to jobs:dead.
func (q *Queue) Fail(ctx context.Context, job Job, cause error) error {
	now := q.clock.Now()
	dead := job.Attempts >= maxAttempts
	_, err := q.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.LRem(ctx, processingKey, 1, job.ID)
		p.HDel(ctx, jobKey(job.ID), "lease_until")
		if dead {
			p.HSet(ctx, jobKey(job.ID), "state", stateDead, "last_error", cause.Error())
			p.LPush(ctx, deadKey, job.ID)
			return nil
		}
		at := now.Add(retryDelay(job.Attempts))
		p.HSet(ctx, jobKey(job.ID), "state", stateRetrying, "last_error", cause.Error())
		p.ZAdd(ctx, scheduledKey, redis.Z{Score: float64(at.UnixMilli()), Member: job.ID})
		return nil
	})
	return err
}
