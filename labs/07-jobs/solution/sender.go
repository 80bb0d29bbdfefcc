package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"
)

// Sender sends one email. jobID identifies the job: pass it to the provider as an idempotency
// key when it takes one. The hidden tests use a fake Sender that counts sends per job id and
// fails when they ask it to.
type Sender interface {
	Send(ctx context.Context, jobID string, e Email) error
}

// ErrPermanent marks a failure that no retry can fix (an address that does not exist, a
// message the provider refuses). Wrap it: fmt.Errorf("550 no such user: %w", ErrPermanent).
var ErrPermanent = errors.New("permanent failure")

// logSender pretends to be an email provider: it takes a moment, then logs the email.
// Addresses at fail.example fail for a while; addresses at bounce.example fail for good.
type logSender struct {
	delay time.Duration
}

func (s logSender) Send(ctx context.Context, jobID string, e Email) error {
	select {
	case <-time.After(s.delay):
	case <-ctx.Done():
		return ctx.Err()
	}
	switch {
	case strings.HasSuffix(e.To, "@bounce.example"):
		return fmt.Errorf("550 mailbox %s does not exist: %w", e.To, ErrPermanent)
	case strings.HasSuffix(e.To, "@fail.example"):
		return errors.New("451 temporary failure, try again later")
	}
	log.Printf("sent %s: to %s, %q", jobID, e.To, e.Subject)
	return nil
}
