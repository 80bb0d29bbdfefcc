//go:build labcheck

package main

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

const (
	maxAttempts = 5
	retryBase   = 5 * time.Second
	retryMax    = 10 * time.Minute
)

// retryDelay is min(retryMax, retryBase * 2^(attempt-1)). Past 2^7 the product is above the
// cap anyway, so the shift never gets the chance to overflow.
func retryDelay(attempt int) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	if attempt > 8 {
		return retryMax
	}
	return min(retryBase<<(attempt-1), retryMax)
}

func (q *Queue) Fail(ctx context.Context, job Job, cause error) error {
	dead := job.Attempts >= maxAttempts || errors.Is(cause, ErrPermanent)
	at := q.clock.Now().Add(retryDelay(job.Attempts))
	_, err := q.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.LRem(ctx, processingKey, 1, job.ID)
		p.ZRem(ctx, leasesKey, job.ID)
		if dead {
			p.HSet(ctx, jobKey(job.ID), "state", stateDead, "last_error", cause.Error())
			p.LPush(ctx, deadKey, job.ID)
		} else {
			p.HSet(ctx, jobKey(job.ID), "state", stateRetrying, "last_error", cause.Error())
			p.ZAdd(ctx, scheduledKey, redis.Z{Score: float64(at.UnixMilli()), Member: job.ID})
		}
		return nil
	})
	return err
}
