// Command lab is a terminal workbench for learning back-end engineering in Go.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
)

// Exit codes, for scripts and CI.
const (
	exitOK    = 0
	exitFail  = 1 // a check ran and some task failed
	exitUsage = 2 // the command line or the course is wrong
	exitEnv   = 3 // the machine lacks something: Go, Docker, a service
	// 128 + n: stopped by signal n (130 Ctrl-C, 129 terminal closed, 143 kill); see exitStatus.
)

func main() {
	// Ctrl-C, kill and a closed terminal all cancel the command, so it stops its tests and
	// services itself; the exit status then says which signal it was, as a shell does.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	ctx, cancel := context.WithCancel(context.Background())
	var got atomic.Value
	go func() {
		s := <-sigs
		got.Store(s)
		cancel()
	}()
	a := newApp(os.Stdin, os.Stdout, os.Stderr)
	err := newRootCmd(a).ExecuteContext(ctx)
	sig, _ := got.Load().(os.Signal)
	code := exitStatus(err, sig)
	if err != nil && !errors.Is(err, errSilent) {
		fmt.Fprintln(os.Stderr, "lab:", err)
	}
	signal.Stop(sigs)
	cancel()
	os.Exit(code)
}

// exitStatus is 128 + the signal's number when a signal stopped the command (130 for Ctrl-C,
// 129 for a closed terminal, 143 for kill), whatever the command returned: scripts and CI tell
// an interrupted check from a failed one. Otherwise it is exitCode(err).
func exitStatus(err error, sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return exitCode(err)
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
