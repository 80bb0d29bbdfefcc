//go:build labcheck

package main

import (
	"context"

	"github.com/redis/go-redis/v9"
)

type Queue struct {
	rdb   *redis.Client
	clock Clock
}

func NewQueue(rdb *redis.Client, clock Clock) *Queue {
	if clock == nil {
		clock = systemClock{}
	}
	return &Queue{rdb: rdb, clock: clock}
}

// enqueue writes the hash and pushes the id in one script: atomic, one round trip.
var enqueue = redis.NewScript(`
redis.call('HSET', KEYS[1], 'to', ARGV[2], 'subject', ARGV[3], 'body', ARGV[4],
  'state', 'queued', 'attempts', 0, 'created_at', ARGV[5])
redis.call('LPUSH', KEYS[2], ARGV[1])
return 1`)

func (q *Queue) Enqueue(ctx context.Context, e Email) (Job, error) {
	id, now := newJobID(), q.clock.Now()
	f := newJobFields(e, stateQueued, now)
	if err := enqueue.Run(ctx, q.rdb, []string{jobKey(id), queueKey}, id, e.To, e.Subject, e.Body, f["created_at"]).Err(); err != nil {
		return Job{}, err
	}
	return Job{ID: id, Email: e, State: stateQueued, CreatedAt: now}, nil
}
