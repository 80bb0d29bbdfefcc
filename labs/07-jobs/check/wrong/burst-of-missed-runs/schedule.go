//go:build labcheck

package main

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Schedule stores a job for e that must not run before at: state scheduled, in jobs:scheduled
// with the score at.UnixMilli().
func (q *Queue) Schedule(ctx context.Context, e Email, at time.Time) (Job, error) {
	id, now := newJobID(), q.clock.Now()
	fields := newJobFields(e, stateScheduled, now)
	fields["run_at"] = at.UTC().Format(time.RFC3339Nano)
	_, err := q.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, jobKey(id), fields)
		p.ZAdd(ctx, scheduledKey, redis.Z{Score: float64(at.UnixMilli()), Member: id})
		return nil
	})
	if err != nil {
		return Job{}, err
	}
	return Job{ID: id, Email: e, State: stateScheduled, CreatedAt: now}, nil
}

// Every registers a recurring job: a new job for e at first, then every interval. Registering
// the same name again (every start of the service does) updates the email and interval but
// keeps the next run: it neither resets it nor runs it twice.
func (q *Queue) Every(ctx context.Context, name string, interval time.Duration, e Email, first time.Time) error {
	if interval <= 0 {
		return errors.New("every: the interval must be positive")
	}
	_, err := q.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, recurringTemplateKey(name), "to", e.To, "subject", e.Subject, "body", e.Body,
			"every_ms", interval.Milliseconds())
		p.ZAddNX(ctx, recurringKey, redis.Z{Score: float64(first.UnixMilli()), Member: name})
		return nil
	})
	return err
}

// promoteOne moves one job from jobs:scheduled to jobs:queue, unless another promoter did.
var promoteOne = redis.NewScript(`
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then
  return 0
end
redis.call('LPUSH', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[3], 'state', 'queued')
return 1
`)

// advanceRecurring moves a recurring job's next run from ARGV[1] to ARGV[2], only if it is
// still ARGV[1]: of two schedulers that saw the same due run, one gets 1 and enqueues the job.
var advanceRecurring = redis.NewScript(`
local next = redis.call('ZSCORE', KEYS[1], ARGV[3])
if not next or tonumber(next) ~= tonumber(ARGV[1]) then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
return 1
`)

// Promote puts on jobs:queue every job of jobs:scheduled due at now, and one new job for
// every recurring job due at now. It returns how many jobs it queued.
func (q *Queue) Promote(ctx context.Context, now time.Time) (int, error) {
	due := strconv.FormatInt(now.UnixMilli(), 10)
	queued := 0
	for {
		ids, err := q.rdb.ZRangeArgs(ctx, redis.ZRangeArgs{
			Key: scheduledKey, Start: "-inf", Stop: due, ByScore: true, Count: 100,
		}).Result()
		if err != nil {
			return queued, err
		}
		for _, id := range ids {
			n, err := promoteOne.Run(ctx, q.rdb, []string{scheduledKey, queueKey, jobKey(id)}, id).Int()
			if err != nil {
				return queued, err
			}
			queued += n
		}
		if len(ids) < 100 {
			break
		}
	}

	names, err := q.rdb.ZRangeArgsWithScores(ctx, redis.ZRangeArgs{
		Key: recurringKey, Start: "-inf", Stop: due, ByScore: true,
	}).Result()
	if err != nil {
		return queued, err
	}
	for _, z := range names {
		name := z.Member.(string)
		tmpl, err := q.rdb.HGetAll(ctx, recurringTemplateKey(name)).Result()
		if err != nil {
			return queued, err
		}
		every, _ := strconv.ParseInt(tmpl["every_ms"], 10, 64)
		if every <= 0 {
			continue
		}
		// The next run after now: runs missed while nothing was promoting are skipped, not
		// sent in a burst. Counting from the planned time, not from now, keeps it from drifting.
		// Catch up: one job for every run that was due.
		for prev := int64(z.Score); prev <= now.UnixMilli(); prev += every {
			won, err := advanceRecurring.Run(ctx, q.rdb, []string{recurringKey}, prev, prev+every, name).Int()
			if err != nil {
				return queued, err
			}
			if won == 0 {
				break
			}
			if _, err := q.Enqueue(ctx, Email{To: tmpl["to"], Subject: tmpl["subject"], Body: tmpl["body"]}); err != nil {
				return queued, err
			}
			queued++
		}
	}
	return queued, nil
}
