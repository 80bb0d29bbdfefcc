package main

import (
	"context"
	"errors"

	"github.com/redis/go-redis/v9"
)

// Queue is a job queue in Redis. The hidden tests build it with NewQueue(rdb, fakeClock).
type Queue struct {
	rdb   *redis.Client
	clock Clock
}

// NewQueue returns a queue on rdb that reads the time from clock (nil: the real clock).
func NewQueue(rdb *redis.Client, clock Clock) *Queue {
	if clock == nil {
		clock = systemClock{}
	}
	return &Queue{rdb: rdb, clock: clock}
}

// Enqueue stores a new job for e and puts it on jobs:queue for a worker.
func (q *Queue) Enqueue(ctx context.Context, e Email) (Job, error) {
	// TODO(enqueue): store the job (a new id, the hash of newJobFields) and put its id on
	// jobs:queue, both in one step: never one without the other. Return the Job.
	return Job{}, errors.New("Enqueue is not implemented yet (TODO(enqueue) in queue.go)")
}
