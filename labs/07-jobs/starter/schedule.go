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
	// TODO(scheduled): store the job like Enqueue does, but planned for at in jobs:scheduled
	// instead of queued.
	return Job{}, errNotScheduled
}

// Every registers a recurring job: a new job for e at first, then every interval. Registering
// the same name again (every start of the service does) updates the email and interval but
// keeps the next run: it neither resets it nor runs it twice.
func (q *Queue) Every(ctx context.Context, name string, interval time.Duration, e Email, first time.Time) error {
	// TODO(scheduled): keep the template and the interval of a recurring job, and its first
	// run, without moving a next run that is already planned.
	return errNotScheduled
}

// Promote puts on jobs:queue every job of jobs:scheduled due at now, and one new job for
// every recurring job due at now. It returns how many jobs it queued.
func (q *Queue) Promote(ctx context.Context, now time.Time) (int, error) {
	// TODO(scheduled): queue every scheduled job that is due (each once), and one job per
	// due recurring job, whose next run moves to the next planned time after now. Return how
	// many jobs were queued.
	return 0, errNotScheduled
}
