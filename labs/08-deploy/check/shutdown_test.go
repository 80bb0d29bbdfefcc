//go:build labcheck

package main

import (
	"fmt"
	"net"
	"net/http"
	"syscall"
	"testing"
	"time"
)

const labImportWant = "imported 2 books\n"

// TestShutdownStopsBeingReadyButKeepsServing: after SIGTERM, during SHUTDOWN_DELAY, /readyz
// answers 503, /livez 200, and the request in flight still completes.
func TestShutdownStopsBeingReadyButKeepsServing(t *testing.T) {
	db, rdb := labFakeDeps(t)
	a := labStartApp(t, map[string]string{
		"DATABASE_URL": db, "REDIS_URL": rdb,
		"SHUTDOWN_DELAY": "5m", "SHUTDOWN_TIMEOUT": "5s",
	})
	if status, body, err := a.get("/readyz"); err != nil || status != http.StatusOK {
		t.Fatalf("before any signal, GET /readyz: got %d %s (%v), want 200: the database and Redis the test started are both reachable\nhint: this needs task probes first\nprogram started with\n%s", status, body, err, a.envText())
	}
	im := labStartImport(t, a)
	a.sigterm()

	// Poll /readyz until it says 503, like a kubelet would.
	deadline := time.Now().Add(labGuard)
	var last string
	for {
		status, body, err := a.get("/readyz")
		if err != nil {
			hint := "keep serving for SHUTDOWN_DELAY after the signal: the load balancer needs that time to see the 503 and stop sending requests. Sleep for cfg.ShutdownDelay after h.startDraining(), then call srv.Shutdown"
			select { // only to say more in the message: has the program ended?
			case <-a.done:
			case <-time.After(2 * time.Second):
			}
			if a.exited() {
				if ws, ok := a.state.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
					hint = "catch SIGTERM in serve (shutdown.go) with signal.NotifyContext: then the signal only cancels a context, and your code decides what happens next"
				}
				t.Fatalf("sent SIGTERM (SHUTDOWN_DELAY=5m) with %s in flight; then GET /readyz failed: %v\nthe program has exited: %s\nhint: %s\n%s", labImportSent, err, a.exitText(), hint, a.outputText())
			}
			t.Fatalf("sent SIGTERM (SHUTDOWN_DELAY=5m) with %s in flight; then GET /readyz failed: %v: the server stopped accepting connections at once\nhint: %s\n%s", labImportSent, err, hint, a.outputText())
		}
		if status == http.StatusServiceUnavailable {
			break
		}
		last = fmt.Sprintf("%d %s", status, body)
		if time.Now().After(deadline) {
			t.Fatalf("sent SIGTERM (SHUTDOWN_DELAY=5m); GET /readyz still answers %s %v later, want 503 Service Unavailable\nhint: serve (shutdown.go) must catch SIGTERM (signal.NotifyContext) and call h.startDraining(); /readyz must answer 503 while draining (task probes)\n%s", last, labGuard, a.outputText())
		}
		time.Sleep(5 * time.Millisecond)
	}

	if status, body, err := a.get("/livez"); err != nil || status != http.StatusOK {
		t.Fatalf("sent SIGTERM (SHUTDOWN_DELAY=5m), /readyz says 503; then GET /livez: got %d %s (%v), want 200\nhint: a draining process is alive: if liveness failed now, the kubelet would restart the container in the middle of its shutdown", status, body, err)
	}
	rest, err := im.finish()
	if rest != labImportWant || err != nil {
		t.Fatalf("%s, with SIGTERM sent in between (SHUTDOWN_DELAY=5m): the end of the response is %q (%v), want %q\nhint: while draining, the server goes on serving normally: only /readyz changes\n%s", labImportSent, rest, err, labImportWant, a.outputText())
	}
}

// TestShutdownFinishesRequestsInFlightThenExits0: with no delay, SIGTERM makes the server stop
// accepting connections, the request in flight completes, and the program exits 0.
func TestShutdownFinishesRequestsInFlightThenExits0(t *testing.T) {
	db, rdb := labFakeDeps(t)
	a := labStartApp(t, map[string]string{
		"DATABASE_URL": db, "REDIS_URL": rdb,
		"SHUTDOWN_DELAY": "0s", "SHUTDOWN_TIMEOUT": "5m",
	})
	im := labStartImport(t, a)
	a.sigterm()

	// Wait until the server stops accepting connections: it has begun to shut down.
	deadline := time.Now().Add(labGuard)
	for {
		if a.exited() {
			t.Fatalf("sent SIGTERM (SHUTDOWN_DELAY=0s, SHUTDOWN_TIMEOUT=5m) with %s in flight: the program exited (%s) before that request finished, want it to wait for it\nhint: srv.Shutdown(ctx) stops accepting connections and waits for the requests in flight; srv.Close, os.Exit or returning from main do not\n%s", labImportSent, a.exitText(), labCancelledCtxHint(a)+a.outputText())
		}
		c, err := net.DialTimeout("tcp", a.addr(), time.Second)
		if err == nil {
			c.Close()
		} else if labIsRefused(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("sent SIGTERM (SHUTDOWN_DELAY=0s): the server still accepts connections %v later, want it to stop (srv.Shutdown closes the listener)\nhint: catch SIGTERM with signal.NotifyContext in serve (shutdown.go), then call srv.Shutdown\n%s", labGuard, a.outputText())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if a.exited() {
		t.Fatalf("sent SIGTERM with %s in flight: the program exited (%s) before that request finished, want it to wait for it\nhint: srv.Shutdown(ctx) waits for the requests in flight; main must not return before it does\n%s", labImportSent, a.exitText(), labCancelledCtxHint(a)+a.outputText())
	}

	rest, err := im.finish()
	if rest != labImportWant || err != nil {
		// Only to say more in the message: how did the program end, if it did?
		select {
		case <-a.done:
		case <-time.After(2 * time.Second):
		}
		t.Fatalf("%s, with SIGTERM sent in between: the end of the response is %q (%v), want %q: the request in flight was cut off\nthe program: %s\nhint: srv.Shutdown waits for requests in flight; srv.Close, os.Exit or the default action of SIGTERM cut them\n%s", labImportSent, rest, err, labImportWant, a.exitText(), labCancelledCtxHint(a)+a.outputText())
	}
	if !a.waitExit() {
		t.Fatalf("sent SIGTERM; the last request finished; the program is still running %v later, want it to exit with status 0\nhint: once srv.Shutdown returns nil, serve returns nil and main returns\n%s", labGuard, a.outputText())
	}
	if a.exitCode() != 0 {
		t.Fatalf("sent SIGTERM; the request in flight finished; then the program ended (%s), want exit status 0 (a clean shutdown)\nhint: srv.Serve returns http.ErrServerClosed after Shutdown: that is not an error\n%s", a.exitText(), a.outputText())
	}
}

// TestShutdownGivesUpAfterShutdownTimeout: a request that never ends does not keep the
// program alive past SHUTDOWN_TIMEOUT; it exits 1, since the shutdown was not clean.
func TestShutdownGivesUpAfterShutdownTimeout(t *testing.T) {
	db, rdb := labFakeDeps(t)
	a := labStartApp(t, map[string]string{
		"DATABASE_URL": db, "REDIS_URL": rdb,
		"SHUTDOWN_DELAY": "0s", "SHUTDOWN_TIMEOUT": "300ms",
	})
	labStartImport(t, a) // never finished
	a.sigterm()
	if !a.waitExit() {
		t.Fatalf("sent SIGTERM (SHUTDOWN_TIMEOUT=300ms) with %s in flight that never ends: the program is still running %v later, want it to give up and exit with status 1\nhint: srv.Shutdown(ctx) waits until ctx is done: give it context.WithTimeout(context.Background(), cfg.ShutdownTimeout)\n%s", labImportSent, labGuard, a.outputText())
	}
	if a.exitCode() != 1 {
		t.Fatalf("sent SIGTERM (SHUTDOWN_TIMEOUT=300ms) with a request in flight that never ends: the program ended (%s), want exit status 1: the shutdown cut a request off, and the exit status should say so\nhint: when srv.Shutdown returns an error, call srv.Close() and return the error from serve: main exits 1\n%s", a.exitText(), a.outputText())
	}
}
