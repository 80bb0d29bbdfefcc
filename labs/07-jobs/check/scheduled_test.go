//go:build labcheck

package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// Task scheduled: delayed jobs wait in the sorted set jobs:scheduled (score: Unix milliseconds)
// until Promote moves them to jobs:queue; recurring jobs live in jobs:recurring.

func (e *labEnv) schedule(m Email, at time.Time) string {
	e.t.Helper()
	var job Job
	var err error
	what := fmt.Sprintf("queue.Schedule(ctx, email to %s, %s)", m.To, labAt(at))
	e.call(what, func(ctx context.Context) { job, err = e.q.Schedule(ctx, m, at) })
	if err != nil {
		e.fatalf("%s returned the error %v", what, err)
	}
	if job.ID == "" {
		e.fatalf("%s returned a Job without ID", what)
	}
	return job.ID
}

func (e *labEnv) every(name string, interval time.Duration, m Email, first time.Time) {
	e.t.Helper()
	var err error
	what := fmt.Sprintf("queue.Every(ctx, %q, %v, email, %s)", name, interval, labAt(first))
	e.call(what, func(ctx context.Context) { err = e.q.Every(ctx, name, interval, m, first) })
	if err != nil {
		e.fatalf("%s returned the error %v", what, err)
	}
}

func TestScheduledJobWaitsUntilDue(t *testing.T) {
	e := labNewEnv(t)
	at := labT0.Add(10 * time.Minute)
	id := e.schedule(labEmail(1), at)

	ctxt := "after Schedule(email, t0+10m)"
	e.wantState(id, "scheduled", ctxt)
	h := e.hash(id)
	if h["to"] != "user1@example.com" || h["subject"] != "Welcome #1" || h["attempts"] != "0" {
		e.fatalf("%s: job:%s must hold the email and attempts=0, like a queued job\nhint: newJobFields(e, stateScheduled, now)", ctxt, id)
	}
	score, ok := e.score(labScheduled, id)
	if !ok || score != at.UnixMilli() {
		e.fatalf("%s: want %s in jobs:scheduled with the score %d (at.UnixMilli()), got score %d (present: %v)", ctxt, id, at.UnixMilli(), score, ok)
	}
	e.wantList(labQueue, nil, ctxt, "a scheduled job must not be on jobs:queue before its time")

	if n := e.promote(labT0.Add(10*time.Minute - time.Second)); n != 0 {
		e.fatalf("Promote(t0+9m59s) returned %d, want 0: the job is due at t0+10m", n)
	}
	e.wantList(labQueue, nil, "after Promote(t0+9m59s)", "only ids with a score <= now.UnixMilli() are due")

	if n := e.promote(at); n != 1 {
		e.fatalf("Promote(t0+10m) returned %d, want 1", n)
	}
	ctxt = "after Promote(t0+10m)"
	e.wantList(labQueue, []string{id}, ctxt, "Promote: ZRANGE jobs:scheduled -inf <now ms> BYSCORE, then for each id: ZREM and, if it was removed, LPUSH onto jobs:queue")
	if n := e.zcard(labScheduled); n != 0 {
		e.fatalf("%s: jobs:scheduled still holds %d ids, want none (ZREM what you move)", ctxt, n)
	}
	e.wantState(id, "queued", ctxt)

	if !e.processOne(e.worker()) || e.sender.sentOf(id) != 1 {
		e.fatalf("%s: a worker must take and send the job (ProcessOne returned false or Send was not called)", ctxt)
	}
}

func TestScheduledPromotesOnlyDueJobs(t *testing.T) {
	e := labNewEnv(t)
	late := e.schedule(labEmail(1), labT0.Add(-time.Minute)) // already due
	soon := e.schedule(labEmail(2), labT0.Add(time.Minute))
	now5 := e.schedule(labEmail(3), labT0.Add(5*time.Minute))
	later := e.schedule(labEmail(4), labT0.Add(time.Hour))
	names := map[string]string{late: "the t0-1m job", soon: "the t0+1m job", now5: "the t0+5m job", later: "the t0+1h job"}

	at := labT0.Add(5 * time.Minute)
	if n := e.promote(at); n != 3 {
		e.fatalf("Promote(t0+5m) returned %d, want 3 (the jobs due at t0-1m, t0+1m and t0+5m)", n)
	}
	q := e.list(labQueue)
	got := slices.Clone(q)
	slices.Sort(got)
	want := []string{late, soon, now5}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		var gotNames []string
		for _, id := range q {
			gotNames = append(gotNames, names[id])
		}
		e.fatalf("after Promote(t0+5m): jobs:queue holds %s; want the t0-1m, t0+1m and t0+5m jobs, each once", strings.Join(gotNames, ", "))
	}
	if _, ok := e.score(labScheduled, later); !ok || e.zcard(labScheduled) != 1 {
		e.fatalf("after Promote(t0+5m): jobs:scheduled must still hold the t0+1h job, and only it")
	}

	// Promoting again at the same time must not queue anything twice.
	if n := e.promote(at); n != 0 {
		e.fatalf("a second Promote(t0+5m) returned %d, want 0: those jobs were already moved", n)
	}
	if n := len(e.list(labQueue)); n != 3 {
		e.fatalf("after a second Promote(t0+5m): jobs:queue holds %d ids, want still 3", n)
	}
}

func TestScheduledRecurringJobOncePerInterval(t *testing.T) {
	e := labNewEnv(t)
	digest := Email{To: "team@example.com", Subject: "Hourly digest", Body: "What happened."}
	e.every("digest", time.Hour, digest, labT0.Add(time.Hour))

	score, ok := e.score(labRecurring, "digest")
	if !ok || score != labT0.Add(time.Hour).UnixMilli() {
		e.fatalf("after Every(\"digest\", 1h, email, t0+1h): want \"digest\" in jobs:recurring with the score %d (first.UnixMilli()); present: %v, score %d\nhint: ZADD NX jobs:recurring <first ms> <name>, and keep the email in recurring:{name}",
			labT0.Add(time.Hour).UnixMilli(), ok, score)
	}
	if n := e.promote(labT0); n != 0 {
		e.fatalf("Promote(t0) returned %d, want 0: the digest's first run is at t0+1h", n)
	}

	// step promotes at the given time and checks that exactly wantNew jobs were queued and the
	// next run moved to next.
	var queued []string
	step := func(at time.Time, wantNew int, next time.Time, why string) {
		t.Helper()
		n := e.promote(at)
		q := e.list(labQueue)
		if len(q)-len(queued) != wantNew || n != wantNew {
			e.fatalf("Promote(%s) queued %d new jobs (and returned %d), want %d: %s\nhint: Promote enqueues one job per due recurring name (with q.Enqueue, from task enqueue), then moves its score on",
				labAt(at), len(q)-len(queued), n, wantNew, why)
		}
		queued = q
		if s, _ := e.score(labRecurring, "digest"); s != next.UnixMilli() {
			e.fatalf("after Promote(%s): the digest's next run in jobs:recurring is %s, want %s: %s", labAt(at), labOffset(s), labAt(next), why)
		}
	}
	step(labT0.Add(time.Hour), 1, labT0.Add(2*time.Hour), "the run at t0+1h is due; the next one is an interval later")
	step(labT0.Add(time.Hour+time.Minute), 0, labT0.Add(2*time.Hour), "the t0+1h run was already queued")
	step(labT0.Add(4*time.Hour+30*time.Minute), 1, labT0.Add(5*time.Hour),
		"the runs of t0+2h, t0+3h and t0+4h were missed (nothing promoted meanwhile): queue one job, not a burst of three, and plan the next run on the original grid (t0+5h), not at now+1h")

	// The service registers its recurring jobs at every start: that must change nothing.
	e.every("digest", time.Hour, digest, labT0.Add(5*time.Hour+time.Hour))
	if s, _ := e.score(labRecurring, "digest"); s != labT0.Add(5*time.Hour).UnixMilli() {
		e.fatalf("calling Every(\"digest\", ...) again (as every restart does) moved the next run to %s, want it kept at t0+5h\nhint: ZADD with NX only adds a member that is not there yet", labOffset(s))
	}

	w := e.worker()
	for i := range 2 {
		if !e.processOne(w) {
			e.fatalf("worker.ProcessOne number %d returned false, want the digest jobs Promote queued", i+1)
		}
	}
	for _, id := range queued {
		h := e.hash(id)
		if h["to"] != digest.To || h["subject"] != digest.Subject || h["state"] != "done" {
			e.fatalf("the digest job %s: want to=%s subject=%q state=done after a worker ran it", id, digest.To, digest.Subject)
		}
		if e.sender.sentOf(id) != 1 {
			e.fatalf("the digest job %s was sent %d times, want 1", id, e.sender.sentOf(id))
		}
	}
	if queued[0] == queued[1] {
		e.fatalf("the two digest runs have the same job id %s: each run is a new job (Enqueue gives it its own id)", queued[0])
	}
}
