//go:build labcheck

package main

import (
	"fmt"
	"testing"
)

// Task idempotent: the queue delivers at least once, so the same job can come back after its
// email was sent. It must not be sent twice.

func TestIdempotentRedeliveredJobIsNotSentAgain(t *testing.T) {
	e := labNewEnv(t)
	e.seedJob("lab-i1", labEmail(1))
	w := e.worker()

	e.processOne(w)
	if n := e.sender.sentOf("lab-i1"); n != 1 {
		e.fatalf("the first delivery of lab-i1 sent its email %d times, want 1", n)
	}
	e.wantState("lab-i1", "done", "after the first delivery")

	// lab-i1 comes back: say its lease ran out while the first worker was finishing, and the
	// sweeper put it back on the queue.
	for round := 2; round <= 3; round++ {
		e.requeue("lab-i1")
		if !e.processOne(w) {
			e.fatalf("delivery %d: worker.ProcessOne returned false with lab-i1 back in jobs:queue", round)
		}
		if n := e.sender.callsOf("lab-i1"); n != 1 {
			e.fatalf("lab-i1 was delivered %d times and Send was called %d times for it, want 1: the customer got the same email %d times\nhint: before sending, look for a mark that this job's email already went out (HEXISTS job:{id} sent_at); after a successful Send, write it. The state cannot tell you: Take has just set it to running",
				round, n, n)
		}
		ctxt := fmt.Sprintf("after delivery %d of lab-i1, already sent", round)
		e.wantState("lab-i1", "done", ctxt, "a job whose email already went out is done: Ack it")
		e.wantList(labProcessing, nil, ctxt, "skip the Send, but still Ack the job")
		e.wantList(labQueue, nil, ctxt)
	}
}

func TestIdempotentMarkOnlyAfterASuccessfulSend(t *testing.T) {
	e := labNewEnv(t)
	e.seedJob("lab-i2", labEmail(2))
	e.sender.failures["lab-i2"] = 1 // the first attempt fails: nothing was sent
	w := e.worker()

	e.processOne(w)
	if n := e.sender.callsOf("lab-i2"); n != 1 {
		e.fatalf("the first delivery of lab-i2 called Send %d times, want 1", n)
	}
	// The test plays the retry: lab-i2 goes back on the queue.
	e.requeue("lab-i2")
	e.processOne(w)
	if n := e.sender.sentOf("lab-i2"); n != 1 {
		e.fatalf("lab-i2 failed once, then was delivered again: its email went out %d times, want 1 (Send was called %d times)\nhint: write the sent mark only after Send returned nil: a failed attempt sent nothing, and the retry must send",
			n, e.sender.callsOf("lab-i2"))
	}
	e.wantState("lab-i2", "done", "after the second delivery of lab-i2 succeeded")

	// And once sent, never again.
	e.requeue("lab-i2")
	e.processOne(w)
	if n := e.sender.callsOf("lab-i2"); n != 2 {
		e.fatalf("lab-i2 was sent on its 2nd delivery, then delivered a 3rd time: Send was called %d times in all, want 2 (one failure, one success)\nhint: before sending, look for the mark a successful Send left (HEXISTS job:{id} sent_at)", n)
	}
	e.wantState("lab-i2", "done", "after a 3rd delivery of lab-i2")
	e.wantList(labProcessing, nil, "after a 3rd delivery of lab-i2")
}
