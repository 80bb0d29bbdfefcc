//go:build labcheck

package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/sony/gobreaker/v2"
)

// errUsersUnavailable: the breaker did not let the call through (open, or half-open with its
// probe already in flight). The handler answers 503 without calling users.
var errUsersUnavailable = errors.New("users service unavailable")

// tripAfter consecutive failed calls open the breaker.
const tripAfter = 5

// newBreaker builds the breaker around calls to the users service: it opens after 5
// consecutive failures, stays open for timeout, then lets one probe through (half-open).
func newBreaker(timeout time.Duration) *gobreaker.CircuitBreaker[struct{}] {
	return gobreaker.NewCircuitBreaker[struct{}](gobreaker.Settings{
		Name:        "users",
		MaxRequests: 1,       // half-open: one probe at a time
		Interval:    0,       // closed: never reset the counts on a timer, only on a success
		Timeout:     timeout, // open: how long before the probe
		ReadyToTrip: func(c gobreaker.Counts) bool {
			return c.ConsecutiveFailures >= tripAfter
		},
		// A 404 is the users service doing its job: it must not count against it.
		IsSuccessful: func(err error) bool {
			return err == nil || errors.Is(err, errUnknownUser)
		},
		// Our own caller gave up: that says nothing about the users service.
		IsExcluded: func(err error) bool {
			return errors.Is(err, context.Canceled)
		},
		OnStateChange: func(name string, from, to gobreaker.State) {
			log.Printf("breaker %s: %s -> %s", name, from, to)
		},
	})
}

// checkUser asks the users service whether id exists, through the breaker.
func (s *ordersService) checkUser(ctx context.Context, id string) error {
	_, err := s.breaker.Execute(func() (struct{}, error) {
		return struct{}{}, s.fetchUser(ctx, id)
	})
	if errors.Is(err, gobreaker.ErrOpenState) {
		return fmt.Errorf("%w: %v", errUsersUnavailable, err)
	}
	return err
}

// breakerState is the breaker's state, for the logs and the hidden tests.
func (s *ordersService) breakerState() gobreaker.State {
	return s.breaker.State()
}
