//go:build labcheck

package main

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

const visibilityTimeout = 30 * time.Second

// leasesKey orders the taken jobs by the end of their lease: the sweeper finds the stale ones
// with one range query instead of reading every job's hash.
const leasesKey = "jobs:leases"

func (q *Queue) Take(ctx context.Context, wait time.Duration) (Job, bool, error) {
	var id string
	var err error
	if wait > 0 {
		id, err = q.rdb.BLMove(ctx, queueKey, processingKey, "RIGHT", "LEFT", wait).Result()
	} else {
		id, err = q.rdb.LMove(ctx, queueKey, processingKey, "RIGHT", "LEFT").Result()
	}
	if errors.Is(err, redis.Nil) {
		return Job{}, false, nil
	}
	if err != nil {
		return Job{}, false, err
	}
	ctx = context.WithoutCancel(ctx)
	lease := q.clock.Now().Add(visibilityTimeout).UnixMilli()
	if _, err := q.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.ZAdd(ctx, leasesKey, redis.Z{Score: float64(lease), Member: id})
		p.HSet(ctx, jobKey(id), "lease_until", lease)
		return nil
	}); err != nil {
		return Job{}, false, err
	}
	job, err := q.markRunning(ctx, id)
	if err != nil {
		return Job{}, false, err
	}
	return job, true, nil
}

func (q *Queue) Ack(ctx context.Context, id string) error {
	_, err := q.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.LRem(ctx, processingKey, 1, id)
		p.ZRem(ctx, leasesKey, id)
		p.HSet(ctx, jobKey(id), "state", stateDone)
		p.Expire(ctx, jobKey(id), 7*24*time.Hour)
		return nil
	})
	return err
}

// moveBack requeues a job whose lease ended, if it is still taken: the ZREM of its lease
// decides, so of an Ack and a recovery racing, exactly one wins.
var moveBack = redis.NewScript(`
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
if redis.call('LREM', KEYS[2], 1, ARGV[1]) == 0 then return 0 end
redis.call('RPUSH', KEYS[3], ARGV[1])
redis.call('HSET', KEYS[4], 'state', 'queued')
return 1`)

func (q *Queue) RecoverStale(ctx context.Context, now time.Time) (int, error) {
	// A job in processing without a lease: its worker died between the move and the lease
	// (or is just writing it). Its lease starts now; NX keeps a lease the worker wrote.
	taken, err := q.rdb.LRange(ctx, processingKey, 0, -1).Result()
	if err != nil {
		return 0, err
	}
	for _, id := range taken {
		if err := q.rdb.ZAddNX(ctx, leasesKey, redis.Z{Score: float64(now.Add(visibilityTimeout).UnixMilli()), Member: id}).Err(); err != nil {
			return 0, err
		}
	}
	stale, err := q.rdb.ZRangeArgs(ctx, redis.ZRangeArgs{
		Key: leasesKey, Start: "-inf", Stop: strconv.FormatInt(now.UnixMilli(), 10), ByScore: true,
	}).Result()
	if err != nil {
		return 0, err
	}
	moved := 0
	for _, id := range stale {
		n, err := moveBack.Run(ctx, q.rdb, []string{leasesKey, processingKey, queueKey, jobKey(id)}, id).Int()
		if err != nil {
			return moved, err
		}
		moved += n
	}
	return moved, nil
}
