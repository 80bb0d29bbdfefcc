//go:build labcheck

package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// Task retries: a failed attempt is retried after 5s, 10s, 20s, 40s (exponential backoff);
// the 5th failure, or a permanent one, moves the job to the dead-letter queue jobs:dead.

// labBackoff is the delay the lesson asks for after failed attempt n, before jitter.
func labBackoff(n int) time.Duration {
	d := 5 * time.Second
	for i := 1; i < n; i++ {
		d *= 2
		if d >= 10*time.Minute {
			return 10 * time.Minute
		}
	}
	return d
}

// labJitterOK reports whether d is the backoff b with at most 25% added for jitter.
func labJitterOK(d, b time.Duration) bool { return d >= b && d <= b+b/4 }

// wantRetryScheduled checks that a job that just failed attempt n at now waits in
// jobs:scheduled for attempt n+1, and returns when.
func (e *labEnv) wantRetryScheduled(id string, n int, now time.Time) time.Time {
	e.t.Helper()
	ctxt := fmt.Sprintf("after attempt %d of %s failed at %s", n, id, labAt(now))
	e.wantState(id, "retrying", ctxt, "Fail: fewer than 5 attempts and not a permanent failure means state retrying")
	e.wantAttempts(id, n, ctxt)
	if le := e.hash(id)["last_error"]; !strings.Contains(le, "451") {
		e.fatalf("%s: job:%s has last_error=%q, want the sender's error (%q)\nhint: HSET last_error cause.Error(): whoever reads GET /jobs/{id} or the dead-letter queue needs to know why", ctxt, id, le, labTempFailure)
	}
	e.wantList(labProcessing, nil, ctxt, "Fail must LREM the id from jobs:processing: the attempt is over")
	e.wantList(labQueue, nil, ctxt, "a failed job waits for its backoff in jobs:scheduled, not in jobs:queue (that would retry it at once)")
	score, ok := e.score(labScheduled, id)
	want := now.Add(labBackoff(n))
	if !ok {
		e.fatalf("%s: %s is not in jobs:scheduled, want it there with the score %d (%s, the Unix milliseconds of now + %v)\nhint: ZADD jobs:scheduled <q.clock.Now().Add(retryDelay(job.Attempts)).UnixMilli()> <id>",
			ctxt, id, want.UnixMilli(), labAt(want), labBackoff(n))
	}
	got := time.Duration(score-now.UnixMilli()) * time.Millisecond
	if !labJitterOK(got, labBackoff(n)) {
		e.fatalf("%s: %s waits in jobs:scheduled until %s, %v after the failure; want %v (5s doubled after each failure: 5s, 10s, 20s, 40s; up to 25%% more for jitter)\nhint: the score is q.clock.Now().Add(retryDelay(job.Attempts)).UnixMilli(): milliseconds, from the fake clock",
			ctxt, id, labOffset(score), got, labBackoff(n))
	}
	return time.UnixMilli(score).UTC()
}

func TestRetryBackoffThenDeadLetter(t *testing.T) {
	e := labNewEnv(t)
	e.seedJob("lab-f1", labEmail(1))
	e.sender.failures["lab-f1"] = -1 // every attempt fails
	w := e.worker()

	for n := 1; n <= 4; n++ {
		now := e.clock.Now()
		if !e.processOne(w) {
			e.fatalf("attempt %d: worker.ProcessOne returned false with lab-f1 in jobs:queue", n)
		}
		due := e.wantRetryScheduled("lab-f1", n, now)
		// The test plays the scheduler: at the due time, the job goes back on the queue.
		e.clock.set(due)
		e.requeue("lab-f1")
	}

	// Attempt 5 fails too: that was the last one.
	if !e.processOne(w) {
		e.fatalf("attempt 5: worker.ProcessOne returned false with lab-f1 in jobs:queue")
	}
	ctxt := "after attempt 5 of lab-f1 failed"
	e.wantState("lab-f1", "dead", ctxt, "after maxAttempts (5) attempts, give up: state dead, and LPUSH the id onto jobs:dead")
	e.wantList(labDead, []string{"lab-f1"}, ctxt, "the dead-letter queue is where someone looks at what failed for good: LPUSH jobs:dead <id>")
	if _, ok := e.score(labScheduled, "lab-f1"); ok {
		e.fatalf("%s: lab-f1 is still in jobs:scheduled: a dead job is not retried", ctxt)
	}
	e.wantList(labProcessing, nil, ctxt)
	e.wantList(labQueue, nil, ctxt)
	if n := e.sender.callsOf("lab-f1"); n != 5 {
		e.fatalf("%s: the sender was called %d times for lab-f1, want 5", ctxt, n)
	}
	if e.processOne(w) {
		e.fatalf("%s: worker.ProcessOne found another job to run, want none", ctxt)
	}
}

func TestRetrySucceedsAfterTransientFailures(t *testing.T) {
	e := labNewEnv(t)
	e.seedJob("lab-f2", labEmail(2))
	e.sender.failures["lab-f2"] = 2 // two failures, then it goes through
	w := e.worker()

	for n := 1; n <= 2; n++ {
		now := e.clock.Now()
		e.processOne(w)
		e.clock.set(e.wantRetryScheduled("lab-f2", n, now))
		e.requeue("lab-f2")
	}
	e.processOne(w)
	ctxt := "after attempts 1 and 2 of lab-f2 failed and attempt 3 succeeded"
	e.wantState("lab-f2", "done", ctxt)
	e.wantAttempts("lab-f2", 3, ctxt)
	if n := e.sender.sentOf("lab-f2"); n != 1 {
		e.fatalf("%s: the email was sent %d times, want 1", ctxt, n)
	}
	e.wantList(labDead, nil, ctxt)
	if n := e.zcard(labScheduled); n != 0 {
		e.fatalf("%s: jobs:scheduled holds %d ids, want none", ctxt, n)
	}
	e.wantList(labProcessing, nil, ctxt)
}

func TestRetryPermanentFailureGoesStraightToDead(t *testing.T) {
	e := labNewEnv(t)
	e.seedJob("lab-f3", labEmail(3))
	e.sender.permanent["lab-f3"] = true
	w := e.worker()

	e.processOne(w)
	ctxt := "after attempt 1 of lab-f3 failed with an error wrapping ErrPermanent (550 mailbox does not exist)"
	hint := "no retry can fix a permanent failure: if errors.Is(cause, ErrPermanent), go to jobs:dead at once"
	e.wantState("lab-f3", "dead", ctxt, hint)
	e.wantList(labDead, []string{"lab-f3"}, ctxt, hint)
	if _, ok := e.score(labScheduled, "lab-f3"); ok {
		e.fatalf("%s: lab-f3 is in jobs:scheduled for a retry\nhint: %s", ctxt, hint)
	}
	if le := e.hash("lab-f3")["last_error"]; !strings.Contains(le, "550") {
		e.fatalf("%s: job:lab-f3 has last_error=%q, want the sender's error", ctxt, le)
	}
	e.wantList(labProcessing, nil, ctxt)
}

func TestRetryDelayIsExponentialAndCapped(t *testing.T) {
	e := labNewEnv(t)
	var b strings.Builder
	bad := false
	for _, n := range []int{1, 2, 3, 4, 5, 6, 7, 8, 10, 30, 63, 64, 100, 1000} {
		var d time.Duration
		e.call(fmt.Sprintf("retryDelay(%d)", n), func(_ context.Context) { d = retryDelay(n) })
		want := labBackoff(n)
		ok := labJitterOK(d, want)
		if want == 10*time.Minute {
			// At the cap, jitter cannot add anything (never more than 10 minutes), and a delay
			// that stopped growing below it is not the cap.
			ok = d == 10*time.Minute
		}
		mark := "ok"
		if !ok {
			mark, bad = "want "+want.String(), true
			if want == 10*time.Minute {
				mark = "want 10m0s (the cap)"
			}
		}
		fmt.Fprintf(&b, "\n    retryDelay(%d) = %v  %s", n, d, mark)
	}
	if bad {
		t.Fatalf("retryDelay: 5s after the first failed attempt, doubled after each one, never more than 10 minutes: from attempt 8 on (5s doubled 7 times is 10m40s) it is exactly 10 minutes (up to 25%% more for jitter below the cap):%s\nhint: retryBase << (n-1) overflows for large n (and goes negative): double in a loop and return retryMax once the delay reaches it", b.String())
	}
}
