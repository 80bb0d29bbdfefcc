//go:build labcheck

package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sony/gobreaker/v2"
)

// Task circuit-breaker: gobreaker around the orders service's calls to users.
//
// gobreaker reads the wall clock and cannot be given another one. So the tests that must see
// the breaker stay open use a timeout of an hour (no test lasts that long), and the one that
// needs it half-open uses 20ms and waits, bounded, until breakerState() says half-open: a
// condition, not a sleep. Half-open itself has no timer in gobreaker, so from there on the test
// drives everything with a gate on the fake users service.

const labOrderBody = `{"user_id":"u1","item":"book"}`

func labNewOrdersWithUsers(t *testing.T, timeout time.Duration) (*ordersService, *labInstance) {
	t.Helper()
	rdb := labRedis(t)
	users := newLabInstance(t, "users")
	return labNewOrders(t, OrdersConfig{UsersURL: users.url, Redis: rdb, BreakerTimeout: timeout}), users
}

func labBreakerState(t *testing.T, s *ordersService) gobreaker.State {
	t.Helper()
	var st gobreaker.State
	labGuard(t, "breakerState()", "", func() { st = s.breakerState() })
	return st
}

// labHistory describes what the users service was told to do, for messages.
type labHistory []string

func (h *labHistory) add(s string) { *h = append(*h, s) }
func (h labHistory) String() string {
	if len(h) == 0 {
		return "nothing before"
	}
	return "after " + strings.Join(h, ", ")
}

func TestBreakerOpensAfterFiveConsecutiveFailures(t *testing.T) {
	orders, users := labNewOrdersWithUsers(t, time.Hour)
	users.setStatus(http.StatusInternalServerError)

	for i := 1; i <= 5; i++ {
		e := labDo(t, orders, "POST", "/orders", labOrderBody)
		e.wantJSONError(http.StatusBadGateway,
			fmt.Sprintf("users answers 500 and this is failure %d of 5: the breaker is still closed, so the call goes through and fails (502)", i))
		if n := users.calls.Load(); n != int64(i) {
			e.fail(fmt.Sprintf("users received %d calls after %d POST /orders, want %d: with the breaker closed, each order asks users once", n, i, i))
		}
	}
	if st := labBreakerState(t, orders); st != gobreaker.StateOpen {
		t.Fatalf("after 5 POST /orders that each failed because users answered 500, breakerState() = %s, want open\n"+
			"hint: TODO(circuit-breaker) in breaker.go: ReadyToTrip returns counts.ConsecutiveFailures >= 5, and breakerState returns s.breaker.State()", st)
	}
	for i := 1; i <= 2; i++ {
		e := labDo(t, orders, "POST", "/orders", labOrderBody)
		e.wantJSONError(http.StatusServiceUnavailable,
			"the breaker is open: checkUser must fail fast with errUsersUnavailable (wrap gobreaker.ErrOpenState with %w), which the handler answers with 503")
		if n := users.calls.Load(); n != 5 {
			e.fail(fmt.Sprintf("users received a call while the breaker is open (%d calls in all, want 5): failing fast means not calling at all", n))
		}
	}
	// users is back, but the breaker waits for its timeout (an hour here) before it tries.
	users.setStatus(http.StatusOK)
	e := labDo(t, orders, "POST", "/orders", labOrderBody)
	e.wantJSONError(http.StatusServiceUnavailable,
		"users is back, but an open breaker does not know it yet: it stays open for Settings.Timeout (here, an hour) and only then lets a probe through")
}

func TestBreakerUnknownUserIsNotAFailure(t *testing.T) {
	orders, users := labNewOrdersWithUsers(t, time.Hour)
	var h labHistory
	send := func(status, want int, why string) {
		t.Helper()
		users.setStatus(status)
		e := labDo(t, orders, "POST", "/orders", labOrderBody)
		if e.status != want {
			e.fail(fmt.Sprintf("with users answering %d %s (%s): got status %d, want %d", status, http.StatusText(status), h, e.status, want), why)
		}
		h.add(fmt.Sprint(status))
	}
	for range 4 {
		send(500, http.StatusBadGateway, "4 failures in a row do not open the breaker")
	}
	send(404, http.StatusUnprocessableEntity, "an unknown user is 422 Unprocessable Entity")
	for range 4 {
		send(500, http.StatusBadGateway,
			"a 404 means users is up and answered: it must not count as a failure, and it ends the run of failures. "+
				"IsSuccessful: func(err error) bool { return err == nil || errors.Is(err, errUnknownUser) }")
	}
	if n := users.calls.Load(); n != 9 {
		t.Fatalf("%s: users received %d calls, want 9 (the breaker stays closed)", h, n)
	}
	send(500, http.StatusBadGateway, "the 5th failure in a row still goes through; it is the one that opens the breaker")
	e := labDo(t, orders, "POST", "/orders", labOrderBody)
	e.wantJSONError(http.StatusServiceUnavailable,
		fmt.Sprintf("%s: 5 consecutive failures, so the breaker is open and answers 503 without calling users "+
			"(TODO(circuit-breaker) in breaker.go: ReadyToTrip on counts.ConsecutiveFailures >= 5)", h))
}

func TestBreakerHalfOpenLetsOneProbeThrough(t *testing.T) {
	orders, users := labNewOrdersWithUsers(t, 20*time.Millisecond)
	users.setStatus(http.StatusInternalServerError)
	for range 5 {
		labDo(t, orders, "POST", "/orders", labOrderBody).wantStatus(http.StatusBadGateway, "users answers 500: the call fails (502)")
	}

	// A breaker that tripped is open, or already half-open: never closed again without a
	// success. Closed now means it did not trip, and waiting would only cost time.
	if st := labBreakerState(t, orders); st == gobreaker.StateClosed {
		t.Fatalf("BreakerTimeout 20ms, 5 failures in a row: breakerState() is closed, want open (and half-open once the 20ms are over)\n" +
			"hint: TODO(circuit-breaker) in breaker.go: build the breaker with Timeout: timeout (from cfg.BreakerTimeout), trip after 5 consecutive failures, and breakerState returns s.breaker.State()")
	}

	// With a 20ms timeout the breaker goes half-open by itself: wait (bounded) until it says so.
	deadline := time.Now().Add(labWait)
	for st := labBreakerState(t, orders); st != gobreaker.StateHalfOpen; st = labBreakerState(t, orders) {
		if time.Now().After(deadline) {
			t.Fatalf("BreakerTimeout 20ms, 5 failures in a row, then %v: breakerState() is still %s, want half-open\n"+
				"hint: TODO(circuit-breaker) in breaker.go: build the breaker with Timeout: timeout (from cfg.BreakerTimeout), trip after 5 consecutive failures, and breakerState returns s.breaker.State()",
				labWait, st)
		}
		time.Sleep(time.Millisecond)
	}

	// users is healthy again but slow: it holds the probe until the test lets it go.
	users.setStatus(http.StatusOK)
	release := users.hold()
	defer release()
	users.forget()
	before := users.calls.Load()
	probe := labLaunch(orders, "POST", "/orders", labOrderBody)
	timer := time.NewTimer(labWait)
	defer timer.Stop()
	select {
	case <-users.entered:
	case <-timer.C:
		if probe.finished() {
			e := probe.wait(t)
			e.fail("the breaker is half-open: the next call is its probe and must reach users, but this request never did",
				"half-open lets MaxRequests (1) calls through")
		}
		t.Fatalf("the breaker is half-open: the next POST /orders is the probe, but users received nothing within %v", labWait)
	}

	// While the probe is out, everybody else fails fast.
	e := labDo(t, orders, "POST", "/orders", labOrderBody)
	e.wantJSONError(http.StatusServiceUnavailable,
		"half-open with its one probe still waiting for users: other calls get gobreaker.ErrTooManyRequests, which is errUsersUnavailable too (503)")
	if n := users.calls.Load() - before; n != 1 {
		e.fail(fmt.Sprintf("users received %d calls while the breaker was half-open, want 1 (the probe)", n), "Settings.MaxRequests: 1")
	}

	release()
	probe.wait(t).wantStatus(http.StatusCreated, "the probe succeeded (users answered 200): the order is created")
	if st := labBreakerState(t, orders); st != gobreaker.StateClosed {
		t.Fatalf("after the half-open probe succeeded, breakerState() = %s, want closed", st)
	}
	labDo(t, orders, "POST", "/orders", labOrderBody).wantStatus(http.StatusCreated, "the breaker closed again: calls go through")
	if n := users.calls.Load() - before; n != 2 {
		t.Fatalf("users received %d calls since the breaker went half-open, want 2 (the probe, then one after it closed)", n)
	}
}
