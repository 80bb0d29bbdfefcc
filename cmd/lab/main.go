// Command lab is a terminal workbench for learning back-end engineering in Go.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes, for scripts and CI.
const (
	exitOK    = 0
	exitFail  = 1 // a check ran and some task failed
	exitUsage = 2 // the command line or the course is wrong
	exitEnv   = 3 // the machine lacks something: Go, Docker, a service
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a := newApp(os.Stdin, os.Stdout, os.Stderr)
	err := newRootCmd(a).ExecuteContext(ctx)
	code := exitCode(err)
	if err != nil && !errors.Is(err, errSilent) {
		fmt.Fprintln(os.Stderr, "lab:", err)
	}
	stop()
	os.Exit(code)
}

// errSilent ends a command with a non-zero code when it has already said why.
var errSilent = errors.New("silent failure")

// exitError carries an exit code with an error.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErr(err error) error { return &exitError{exitUsage, err} }
func envErr(err error) error   { return &exitError{exitEnv, err} }

// failed means a check ran and did not pass; the report has been printed already.
func failed() error { return &exitError{exitFail, errSilent} }

func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return exitUsage
}
