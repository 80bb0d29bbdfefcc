//go:build labcheck

package main

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/redis/go-redis/v9"
)

const (
	maxAttempts = 5
	retryBase   = 5 * time.Second
	retryMax    = 10 * time.Minute
)

// retryDelay doubles from retryBase, adds up to 20% of jitter, and never exceeds retryMax.
func retryDelay(attempt int) time.Duration {
	d := retryBase
	for i := 1; i < attempt && d < retryMax; i++ {
		d *= 2
	}
	if d >= retryMax {
		return retryMax
	}
	return min(d+time.Duration(rand.Int64N(int64(d/5)+1)), retryMax)
}

func (q *Queue) Fail(ctx context.Context, job Job, cause error) error {
	now := q.clock.Now()
	_, err := q.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.LRem(ctx, processingKey, 1, job.ID)
		p.HDel(ctx, jobKey(job.ID), "lease_until")
		p.HSet(ctx, jobKey(job.ID), "last_error", cause.Error())
		if job.Attempts >= maxAttempts || errors.Is(cause, ErrPermanent) {
			p.HSet(ctx, jobKey(job.ID), "state", stateDead)
			p.LPush(ctx, deadKey, job.ID)
			return nil
		}
		p.HSet(ctx, jobKey(job.ID), "state", stateRetrying)
		p.ZAdd(ctx, scheduledKey, redis.Z{Score: float64(now.Add(retryDelay(job.Attempts)).UnixMilli()), Member: job.ID})
		return nil
	})
	return err
}
