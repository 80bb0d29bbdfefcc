//go:build labcheck

package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// Task graceful-stop: when Run's context is cancelled, the worker finishes the job in hand
// (sent and acked), takes no other job, and Run returns.

type labRun struct {
	done chan struct{}
	err  error
	p    *labPanic
}

// startRun runs worker.Run(ctx) in a goroutine.
func labStartRun(w *Worker, ctx context.Context) *labRun {
	r := &labRun{done: make(chan struct{})}
	go func() {
		defer close(r.done)
		defer func() {
			if p := recover(); p != nil {
				r.p = &labPanic{value: p, stack: labStack()}
			}
		}()
		r.err = w.Run(ctx)
	}()
	return r
}

// labGraceful runs `workers` workers on `jobs` queued jobs with a sender that holds every
// email, cancels them once each is sending one, then lets the emails go through.
func labGraceful(t *testing.T, workers, jobs int) {
	e := labNewEnv(t)
	var all []string
	for i := 1; i <= jobs; i++ {
		id := fmt.Sprintf("lab-g%d", i)
		e.seedJob(id, labEmail(i))
		all = append(all, id)
	}
	e.sender.block = make(chan struct{})
	e.sender.entered = make(chan string, 2*jobs)
	ctx, cancel := context.WithCancel(context.Background())
	var runs []*labRun
	t.Cleanup(func() {
		cancel()
		e.sender.release()
		wait := time.NewTimer(labHold)
		defer wait.Stop()
		for _, r := range runs {
			select {
			case <-r.done:
			case <-wait.C:
				return
			}
		}
	})
	for range workers {
		runs = append(runs, labStartRun(e.worker(), ctx))
	}

	// Wait until every worker is sending an email.
	var inFlight []string
	timer := time.NewTimer(labWait)
	defer timer.Stop()
	for len(inFlight) < workers {
		select {
		case id := <-e.sender.entered:
			inFlight = append(inFlight, id)
		case <-timer.C:
			e.fatalf("%d workers ran worker.Run(ctx) on %d queued jobs: after %v, Send had been called for %v only, want %d emails in flight",
				workers, jobs, labWait, inFlight, workers)
		}
	}
	slices.Sort(inFlight)

	// Stop, as SIGTERM would, while every worker is in the middle of an email. Then the
	// provider answers.
	cancel()
	e.sender.release()
	timer.Reset(labWait)
	for i, r := range runs {
		select {
		case <-r.done:
		case <-timer.C:
			e.fatalf("worker %d's Run did not return within %v after its context was cancelled and its email went through\nhint: check ctx before every Take, and return nil once it is cancelled", i+1, labWait)
		}
		if r.p != nil {
			e.fatalf("worker %d's Run panicked: %v\n%s", i+1, r.p.value, r.p.stack)
		}
		if r.err != nil && !errors.Is(r.err, context.Canceled) {
			e.fatalf("worker %d's Run returned the error %v after a requested stop, want nil", i+1, r.err)
		}
	}

	// The jobs in hand were finished: sent once and acked.
	for _, id := range inFlight {
		ctxt := fmt.Sprintf("Run was cancelled while %s was being sent", id)
		if n := e.sender.sentOf(id); n != 1 {
			e.fatalf("%s: its email went out %d times, want 1: the sender got a cancelled context and gave up (see the sender's log below)\nhint: handle the job with a context of its own, context.WithoutCancel(ctx) with a jobTimeout, not with Run's ctx: a stop must not abort an email half sent", ctxt, n)
		}
		e.wantState(id, "done", ctxt, "the job in hand is finished and acked before Run returns")
		if n := e.sender.callsOf(id); n != 1 {
			e.fatalf("%s: Send was called %d times for it, want 1", ctxt, n)
		}
	}
	e.wantList(labProcessing, nil, "after every Run returned", "each job in hand must be acked (or failed) before Run returns, not left in jobs:processing for the next start")

	// No other job was taken.
	var untouched []string
	for _, id := range all {
		if !slices.Contains(inFlight, id) {
			untouched = append(untouched, id)
		}
	}
	for _, id := range untouched {
		if n := e.sender.callsOf(id); n != 0 {
			e.fatalf("%s was taken and sent after Run's context was cancelled (%d Send calls): a stopping worker takes no new job\nhint: check ctx.Err() before every Take", id, n)
		}
		e.wantState(id, "queued", "after the workers stopped", "a stopping worker takes no new job")
	}
	q := e.list(labQueue)
	slices.Sort(q)
	if !slices.Equal(q, untouched) {
		e.fatalf("after the workers stopped, jobs:queue holds [%s], want the %d jobs nobody started, [%s]",
			strings.Join(q, " "), len(untouched), strings.Join(untouched, " "))
	}
}

func TestGracefulStopFinishesTheJobInHand(t *testing.T) {
	labGraceful(t, 1, 2)
}

func TestGracefulStopEveryWorkerFinishes(t *testing.T) {
	labGraceful(t, 3, 5)
}
