//go:build labcheck

package main

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

const visibilityTimeout = 30 * time.Second

// claim writes the lease and marks the job running in one step, after the move.
var claim = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
redis.call('HSET', KEYS[1], 'lease_until', ARGV[1], 'state', 'running')
return redis.call('HINCRBY', KEYS[1], 'attempts', 1)`)

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
	n, err := claim.Run(ctx, q.rdb, []string{jobKey(id)}, lease).Int()
	if err != nil {
		return Job{}, false, err
	}
	if n < 0 {
		q.rdb.LRem(ctx, processingKey, 1, id)
		return Job{}, false, errors.New("take: job " + id + " has no hash: dropped")
	}
	job, err := q.Get(ctx, id)
	return job, err == nil, err
}

var ack = redis.NewScript(`
redis.call('LREM', KEYS[1], 1, ARGV[1])
redis.call('HSET', KEYS[2], 'state', 'done')
redis.call('HDEL', KEYS[2], 'lease_until')
redis.call('EXPIRE', KEYS[2], 604800)
return 1`)

func (q *Queue) Ack(ctx context.Context, id string) error {
	return ack.Run(ctx, q.rdb, []string{processingKey, jobKey(id)}, id).Err()
}

// recoverAll looks at every job in processing and moves those whose lease is over, all in one
// script: no worker can ack between the look and the move. A job without a lease gets one.
var recoverAll = redis.NewScript(`
local now = tonumber(ARGV[1])
local moved = 0
for _, id in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  local key = 'job:' .. id
  local lease = redis.call('HGET', key, 'lease_until')
  if not lease then
    redis.call('HSET', key, 'lease_until', now + tonumber(ARGV[2]))
  elseif tonumber(lease) <= now then
    redis.call('LREM', KEYS[1], 1, id)
    redis.call('RPUSH', KEYS[2], id)
    redis.call('HSET', key, 'state', 'queued')
    redis.call('HDEL', key, 'lease_until')
    moved = moved + 1
  end
end
return moved`)

func (q *Queue) RecoverStale(ctx context.Context, now time.Time) (int, error) {
	return recoverAll.Run(ctx, q.rdb, []string{processingKey, queueKey}, now.UnixMilli(), visibilityTimeout.Milliseconds()).Int()
}
