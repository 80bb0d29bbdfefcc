package main

import (
	"context"
	"errors"
	"time"
)

// errNotScheduled is what the starter's scheduling functions return.
var errNotScheduled = errors.New("scheduling is not implemented yet (TODO(scheduled) in schedule.go)")

// Schedule stores a job for e that must not run before at: state scheduled, in jobs:scheduled
// with the score at.UnixMilli().
func (q *Queue) Schedule(ctx context.Context, e Email, at time.Time) (Job, error) {
	// TODO(scheduled): like Enqueue, but with newJobFields(e, stateScheduled, now) and ZADD
	// jobs:scheduled <at.UnixMilli()> <id> instead of LPUSH, in one transaction.
	return Job{}, errNotScheduled
}

// Every registers a recurring job: a new job for e at first, then every interval. Registering
// the same name again (every start of the service does) updates the email and interval but
// keeps the next run: it neither resets it nor runs it twice.
func (q *Queue) Every(ctx context.Context, name string, interval time.Duration, e Email, first time.Time) error {
	// TODO(scheduled): HSET recurring:{name} to, subject, body and every_ms (the interval in
	// milliseconds), and ZADD NX jobs:recurring <first.UnixMilli()> <name> (NX: an existing
	// next run stays as it is).
	return errNotScheduled
}

// Promote puts on jobs:queue every job of jobs:scheduled due at now, and one new job for
// every recurring job due at now. It returns how many jobs it queued.
func (q *Queue) Promote(ctx context.Context, now time.Time) (int, error) {
	// TODO(scheduled): 1. the ids of jobs:scheduled with a score <= now.UnixMilli()
	// (ZRANGE ... BYSCORE); move each one: ZREM it and, only if ZREM removed it, LPUSH it onto
	// jobs:queue and set its state to queued (a Lua script makes that atomic).
	// 2. the names of jobs:recurring with a score <= now: for each, q.Enqueue a job with the
	// email of recurring:{name}, and move its score to the first planned run after now
	// (score + every, + every, ...: missed runs are skipped, not sent in a burst).
	return 0, errNotScheduled
}
