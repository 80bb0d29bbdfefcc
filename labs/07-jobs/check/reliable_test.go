//go:build labcheck

package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Task reliable-worker: a taken job sits in jobs:processing until it is acked; a job whose
// worker died goes back on the queue once its lease (the visibility timeout) has run out.

const labVisibility = 30 * time.Second

const labMoveHint = "Take must move the id from jobs:queue to jobs:processing in one command (LMOVE jobs:queue jobs:processing RIGHT LEFT): " +
	"RPOP takes it out of Redis, and a worker that dies now loses the job for good"

func TestReliableTakeMovesJobToProcessing(t *testing.T) {
	e := labNewEnv(t)
	e.seedJob("lab-r1", labEmail(1))

	job, ok := e.take()
	if !ok || job.ID != "lab-r1" {
		e.fatalf("queue.Take(ctx, 0) with lab-r1 in jobs:queue returned (Job{ID: %q}, ok=%v), want lab-r1 and true", job.ID, ok)
	}
	e.wantList(labQueue, nil, "after Take")
	e.wantList(labProcessing, []string{"lab-r1"}, "after Take (the worker has the job and has not acked it)", labMoveHint)
	e.wantState("lab-r1", "running", "after Take", "markRunning sets it: call it after the move")
	e.wantAttempts("lab-r1", 1, "after Take")

	e.ack("lab-r1")
	e.wantList(labProcessing, nil, "after Ack(lab-r1)", "Ack removes the id from jobs:processing: LREM jobs:processing 1 <id>")
	e.wantState("lab-r1", "done", "after Ack")

	if job, ok := e.take(); ok {
		e.fatalf("queue.Take(ctx, 0) on an empty jobs:queue returned (Job{ID: %q}, true), want ok=false", job.ID)
	}
}

func TestReliableJobStaysInProcessingWhileSent(t *testing.T) {
	e := labNewEnv(t)
	e.seedJob("lab-r2", labEmail(2))
	e.seedJob("lab-r3", labEmail(3))
	e.sender.block = make(chan struct{})
	e.sender.entered = make(chan string, 4)
	t.Cleanup(e.sender.release)
	w := e.worker()

	type result struct {
		ok  bool
		err error
		p   *labPanic
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- result{p: &labPanic{value: p, stack: labStack()}}
			}
		}()
		ok, err := w.ProcessOne(context.Background())
		done <- result{ok: ok, err: err}
	}()
	timer := time.NewTimer(labWait)
	defer timer.Stop()
	var id string
	select {
	case id = <-e.sender.entered:
	case r := <-done:
		e.fatalf("worker.ProcessOne(ctx) returned (%v, %v) without calling Send, with two jobs in jobs:queue", r.ok, r.err)
	case <-timer.C:
		e.fatalf("worker.ProcessOne(ctx) did not call Send within %v, with two jobs in jobs:queue", labWait)
	}

	// The email is being sent. If the worker died right now, would the job survive?
	proc := e.list(labProcessing)
	if len(proc) != 1 || proc[0] != id {
		e.fatalf("while the email of %s was being sent, jobs:processing was %v, want [%s]: if the worker died now, the job would be lost\nhint: %s", id, proc, id, labMoveHint)
	}

	e.sender.release()
	timer.Reset(labWait)
	select {
	case r := <-done:
		if r.p != nil {
			e.fatalf("worker.ProcessOne(ctx) panicked: %v\n%s", r.p.value, r.p.stack)
		}
		if !r.ok || r.err != nil {
			e.fatalf("worker.ProcessOne(ctx) returned (%v, %v), want (true, nil)", r.ok, r.err)
		}
	case <-timer.C:
		e.fatalf("worker.ProcessOne(ctx) did not return within %v after Send returned", labWait)
	}
	e.wantList(labProcessing, nil, "after the email of "+id+" was sent", "handle calls Ack: it must LREM the id from jobs:processing")
	e.wantState(id, "done", "after the email was sent")
	other := map[string]string{"lab-r2": "lab-r3", "lab-r3": "lab-r2"}[id]
	e.wantList(labQueue, []string{other}, "after one ProcessOne", "one ProcessOne takes one job")
}

func TestReliableCrashedJobIsRecoveredAfterVisibilityTimeout(t *testing.T) {
	e := labNewEnv(t)

	// A worker takes lab-c1 at t0 and crashes: it will never ack.
	e.seedJob("lab-c1", labEmail(1))
	if job, ok := e.take(); !ok || job.ID != "lab-c1" {
		e.fatalf("queue.Take(ctx, 0) returned (Job{ID: %q}, %v), want lab-c1", job.ID, ok)
	}
	e.wantList(labProcessing, []string{"lab-c1"}, "after a worker took lab-c1 (and crashed)", labMoveHint)

	// Another one takes lab-c2 at t0+20s and crashes too.
	e.clock.advance(20 * time.Second)
	e.seedJob("lab-c2", labEmail(2))
	if job, ok := e.take(); !ok || job.ID != "lab-c2" {
		e.fatalf("queue.Take(ctx, 0) returned (Job{ID: %q}, %v), want lab-c2", job.ID, ok)
	}

	// t0+29s: lab-c1's lease (30s) has not run out. Its worker may just be slow.
	lease := e.hash("lab-c1")["lease_until"] // read before RecoverStale may change it
	if n := e.recoverStale(labT0.Add(labVisibility - time.Second)); n != 0 {
		hint := "at Take, write lease_until = q.clock.Now() + visibilityTimeout; RecoverStale moves only the jobs whose lease_until <= now"
		if v, err := strconv.ParseInt(lease, 10, 64); err == nil && v > 0 && v < 100_000_000_000 {
			hint = fmt.Sprintf("lab-c1's lease_until is %d, a time in Unix seconds: compared with now.UnixMilli(), every lease looks long over. Write and compare one unit, milliseconds: q.clock.Now().Add(visibilityTimeout).UnixMilli()", v)
		}
		e.fatalf("RecoverStale(t0+29s) returned %d, want 0: lab-c1 was taken at t0 and lab-c2 at t0+20s, with a visibility timeout of 30s their leases run until t0+30s and t0+50s\nhint: %s", n, hint)
	}
	e.wantList(labQueue, nil, "after RecoverStale(t0+29s)",
		"the job was taken 29s ago and the lease is 30s: give its worker the time (lease_until = time of Take + visibilityTimeout)")

	// t0+31s: lab-c1's lease has run out, lab-c2's (until t0+50s) has not.
	now := e.clock.advance(11 * time.Second)
	if n := e.recoverStale(now); n != 1 {
		e.fatalf("RecoverStale(t0+31s) returned %d, want 1 (lab-c1, taken at t0 and never acked)", n)
	}
	e.wantList(labQueue, []string{"lab-c1"}, "after RecoverStale(t0+31s)",
		"lab-c1's lease ran out at t0+30s: move it from jobs:processing back onto jobs:queue (RPUSH, so it is the next one taken)")
	e.wantList(labProcessing, []string{"lab-c2"}, "after RecoverStale(t0+31s)",
		"lab-c2 was taken at t0+20s: its lease runs until t0+50s, leave it in jobs:processing")
	e.wantState("lab-c1", "queued", "after RecoverStale(t0+31s) put it back")

	// A healthy worker picks lab-c1 up and sends it.
	w := e.worker()
	if !e.processOne(w) {
		e.fatalf("worker.ProcessOne returned false with lab-c1 back in jobs:queue")
	}
	if n := e.sender.sentOf("lab-c1"); n != 1 {
		e.fatalf("the email of lab-c1 was sent %d times after its recovery, want 1", n)
	}
	e.wantState("lab-c1", "done", "after the second worker processed lab-c1")
	e.wantList(labProcessing, []string{"lab-c2"}, "after the second worker processed lab-c1")

	// t0+50s: lab-c2's turn.
	if n := e.recoverStale(e.clock.advance(19 * time.Second)); n != 1 {
		e.fatalf("RecoverStale(t0+50s) returned %d, want 1 (lab-c2, taken at t0+20s)", n)
	}
	e.wantList(labQueue, []string{"lab-c2"}, "after RecoverStale(t0+50s)")
	e.wantList(labProcessing, nil, "after RecoverStale(t0+50s)")
	if n := e.recoverStale(e.clock.advance(time.Minute)); n != 0 {
		e.fatalf("RecoverStale(t0+1m50s) returned %d with nothing in jobs:processing, want 0", n)
	}
	e.wantList(labQueue, []string{"lab-c2"}, "after one more RecoverStale", "a job already recovered must not be queued twice")
}

// seedTaken puts job id in jobs:processing the way a worker's Take leaves it, with or without
// the lease: state running, attempts 1.
func (e *labEnv) seedTaken(id string, m Email, lease *time.Time) {
	e.t.Helper()
	ctx, cancel := e.ctx()
	defer cancel()
	_, err := e.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, "job:"+id, "to", m.To, "subject", m.Subject, "body", m.Body,
			"state", "running", "attempts", 1, "created_at", e.clock.Now().Format(time.RFC3339Nano))
		if lease != nil {
			p.HSet(ctx, "job:"+id, "lease_until", lease.UnixMilli())
		}
		p.LPush(ctx, labProcessing, id)
		return nil
	})
	if err != nil {
		e.t.Fatalf("setting up: writing job:%s to Redis: %v", id, err)
	}
}

func TestReliableJobWithoutALeaseGetsOne(t *testing.T) {
	e := labNewEnv(t)
	// A worker moved lab-n1 to jobs:processing at t0 and died before it wrote lease_until (or
	// it is writing it right now: RecoverStale cannot tell).
	e.seedTaken("lab-n1", labEmail(1), nil)

	if n := e.recoverStale(labT0); n != 0 {
		e.fatalf("RecoverStale(t0) returned %d with lab-n1 in jobs:processing and no lease_until yet, want 0: its worker may be writing the lease at this very moment, and recovering now would hand the job to a second worker\n"+
			"hint: a job without lease_until gets one from RecoverStale: lease_until = now + visibilityTimeout (HSETNX, so a lease its worker writes meanwhile wins); it is recovered once that runs out", n)
	}
	e.wantList(labProcessing, []string{"lab-n1"}, "after RecoverStale(t0) found lab-n1 without a lease")
	if n := e.recoverStale(labT0.Add(labVisibility - time.Second)); n != 0 {
		e.fatalf("RecoverStale(t0+29s) returned %d, want 0: RecoverStale(t0) first saw lab-n1 without a lease, so its lease runs from then until t0+30s", n)
	}
	if n := e.recoverStale(labT0.Add(labVisibility)); n != 1 {
		e.fatalf("RecoverStale(t0+30s) returned %d, want 1: lab-n1 had no lease at t0, when RecoverStale first saw it; a lease started then has run out now. A job whose worker died before writing its lease must not stay in jobs:processing forever\n"+
			"hint: when lease_until is missing, start it (HSETNX lease_until now+visibilityTimeout); the next RecoverStale after that moves the job", n)
	}
	e.wantList(labQueue, []string{"lab-n1"}, "after RecoverStale(t0+30s)")
	e.wantList(labProcessing, nil, "after RecoverStale(t0+30s)")
	e.wantState("lab-n1", "queued", "after RecoverStale(t0+30s) put it back")
}

// ackMidway is a go-redis hook: right after the learner's client has read the hash of job
// id (the lease RecoverStale is about to judge), it acks the job through another queue,
// once, as a worker finishing at that very moment would.
type ackMidway struct {
	id    string
	ack   func()
	fired bool
	mu    sync.Mutex
}

func (a *ackMidway) DialHook(next redis.DialHook) redis.DialHook { return next }

func (a *ackMidway) reads(cmd redis.Cmder) bool {
	args := cmd.Args()
	if len(args) < 2 || fmt.Sprint(args[1]) != "job:"+a.id {
		return false
	}
	switch strings.ToLower(fmt.Sprint(args[0])) {
	case "hget", "hmget", "hgetall", "hexists":
		return true
	}
	return false
}

func (a *ackMidway) fire() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.fired {
		a.fired = true
		a.ack()
	}
}

func (a *ackMidway) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		if a.reads(cmd) {
			a.fire()
		}
		return err
	}
}

func (a *ackMidway) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		for _, cmd := range cmds {
			if a.reads(cmd) {
				a.fire()
				break
			}
		}
		return err
	}
}

func TestReliableRecoveryLeavesAJobAckedMeanwhile(t *testing.T) {
	e := labNewEnv(t)
	lease := labT0.Add(labVisibility)
	e.seedTaken("lab-a1", labEmail(1), &lease)

	// The worker of lab-a1 was slow, not dead: it acks just after RecoverStale has read the
	// expired lease, and before RecoverStale moves the job.
	opt, _ := redis.ParseURL(os.Getenv("REDIS_URL"))
	other := redis.NewClient(opt)
	defer other.Close()
	worker := NewQueue(other, e.clock)
	hook := &ackMidway{id: "lab-a1"}
	var ackErr error
	hook.ack = func() {
		ctx, cancel := e.ctx()
		defer cancel()
		ackErr = worker.Ack(ctx, "lab-a1")
	}
	e.rdb.AddHook(hook)

	n := e.recoverStale(labT0.Add(time.Minute))
	if !hook.fired {
		// RecoverStale read no job hash with a command of its own (a Lua script reads and moves
		// in one step): there is no gap to act in.
		return
	}
	if ackErr != nil {
		e.fatalf("setting up: queue.Ack(ctx, \"lab-a1\") from a second worker: %v", ackErr)
	}
	q := e.list(labQueue)
	if n != 0 || len(q) != 0 {
		e.fatalf("RecoverStale(t0+1m) read the expired lease of lab-a1; right then (the test made it happen) lab-a1's worker, only slow, acked it: the email went out and the job is done. RecoverStale then returned %d and jobs:queue is [%s]: the job would be sent a second time\n"+
			"hint: move a job only if it is still in jobs:processing, checked and moved in one step: a Lua script whose LREM jobs:processing 1 <id> returns 0 when the worker acked it first, and then does nothing",
			n, strings.Join(q, " "))
	}
	e.wantState("lab-a1", "done", "after RecoverStale raced with lab-a1's Ack")
}
