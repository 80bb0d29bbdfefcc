//go:build labcheck

package main

// Helpers that run the learner's program (main) as a child process, the way a container
// runtime does: configured by environment variables, stopped with SIGTERM.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// labAppVars are the variables the program reads: the tests set each of them explicitly, so
// nothing leaks in from the environment of `lab check`.
var labAppVars = []string{"PORT", "DATABASE_URL", "REDIS_URL", "SHUTDOWN_DELAY", "SHUTDOWN_TIMEOUT"}

// labBuffer is an io.Writer safe to read while the process writes to it.
type labBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *labBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len() > 64<<10 { // keep the start: that is where the interesting part is
		return len(p), nil
	}
	return b.buf.Write(p)
}

func (b *labBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// labApp is the learner's program, running.
type labApp struct {
	t      *testing.T
	cmd    *exec.Cmd
	port   int
	env    map[string]string
	stdout labBuffer
	stderr labBuffer
	done   chan struct{} // closed once the process has exited
	state  *os.ProcessState
}

// labFreePort asks the kernel for a port nobody listens on.
func labFreePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("setting up: cannot find a free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// labRun starts the program with env (PORT is added unless env has it) and does not wait for
// anything. The process is killed when the test ends.
func labRun(t *testing.T, env map[string]string) *labApp {
	t.Helper()
	a := &labApp{t: t, env: map[string]string{}, done: make(chan struct{})}
	for k, v := range env {
		a.env[k] = v
	}
	if _, ok := a.env["PORT"]; !ok {
		a.port = labFreePort(t)
		a.env["PORT"] = strconv.Itoa(a.port)
	} else {
		a.port, _ = strconv.Atoi(a.env["PORT"])
	}
	var osEnv []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(labAppVars, k) && k != labChildEnv {
			osEnv = append(osEnv, kv)
		}
	}
	osEnv = append(osEnv, labChildEnv+"=1")
	for k, v := range a.env {
		if v != "" {
			osEnv = append(osEnv, k+"="+v)
		}
	}
	a.cmd = exec.Command(os.Args[0])
	a.cmd.Env = osEnv
	a.cmd.Stdout = &a.stdout
	a.cmd.Stderr = &a.stderr
	if err := a.cmd.Start(); err != nil {
		t.Fatalf("setting up: cannot start the program: %v", err)
	}
	go func() {
		a.cmd.Wait()
		a.state = a.cmd.ProcessState
		close(a.done)
	}()
	t.Cleanup(func() {
		a.cmd.Process.Kill()
		select {
		case <-a.done:
		case <-time.After(labGuard):
		}
	})
	return a
}

// labStartApp starts the program and waits until it accepts connections on its port. A port
// taken by someone else in the meantime is retried with another one.
func labStartApp(t *testing.T, env map[string]string) *labApp {
	t.Helper()
	for attempt := 1; ; attempt++ {
		a := labRun(t, env)
		if a.waitListening() {
			return a
		}
		if attempt < 3 && strings.Contains(a.stderr.String(), "address already in use") {
			continue
		}
		t.Fatalf("started the program with\n%s\nit exited (%s) before it accepted a connection on port %d.\n%s",
			a.envText(), a.exitText(), a.port, a.outputText())
	}
}

// waitListening waits until the port accepts a connection (true) or the process exits (false).
func (a *labApp) waitListening() bool {
	a.t.Helper()
	deadline := time.Now().Add(labGuard)
	for {
		select {
		case <-a.done:
			return false
		default:
		}
		if c, err := net.DialTimeout("tcp", a.addr(), time.Second); err == nil {
			c.Close()
			return true
		}
		if time.Now().After(deadline) {
			a.t.Fatalf("started the program with\n%s\nit did not accept connections on port %d within %v: does it listen on \":\"+PORT?\n%s",
				a.envText(), a.port, labGuard, a.outputText())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (a *labApp) addr() string { return "127.0.0.1:" + strconv.Itoa(a.port) }

// exited says whether the process has exited, without waiting.
func (a *labApp) exited() bool {
	select {
	case <-a.done:
		return true
	default:
		return false
	}
}

// waitExit waits for the process to exit; false when it is still running after labGuard.
func (a *labApp) waitExit() bool {
	select {
	case <-a.done:
		return true
	case <-time.After(labGuard):
		return false
	}
}

// sigterm sends SIGTERM, what `docker stop` and Kubernetes send.
func (a *labApp) sigterm() {
	a.t.Helper()
	if err := a.cmd.Process.Signal(syscall.SIGTERM); err != nil && !a.exited() {
		a.t.Fatalf("setting up: cannot send SIGTERM: %v", err)
	}
}

// exitCode is the exit status; -1 when a signal killed the process.
func (a *labApp) exitCode() int { return a.state.ExitCode() }

// exitText describes how the process ended, for a failure message.
func (a *labApp) exitText() string {
	if !a.exited() {
		return "still running"
	}
	if ws, ok := a.state.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		if ws.Signal() == syscall.SIGTERM {
			return "killed by SIGTERM: the program does not handle the signal, so the runtime's default action ended it on the spot"
		}
		return "killed by signal " + ws.Signal().String()
	}
	return fmt.Sprintf("exit status %d", a.state.ExitCode())
}

func (a *labApp) envText() string {
	var lines []string
	for _, k := range labAppVars {
		if v, ok := a.env[k]; ok && v != "" {
			lines = append(lines, k+"="+v)
		} else {
			lines = append(lines, k+" (unset)")
		}
	}
	return labIndent(strings.Join(lines, "\n"))
}

// outputText is what the program wrote, for a failure message.
func (a *labApp) outputText() string {
	return "its stderr:\n" + labIndent(labClip(a.stderr.String(), 2000)) +
		"\nits stdout:\n" + labIndent(labClip(a.stdout.String(), 1000))
}

// labCancelledCtxHint explains a "context canceled" the program logged while shutting down: the
// usual cause is srv.Shutdown(ctx) with the context of signal.NotifyContext, which the signal
// has already cancelled, so Shutdown gives up at once.
func labCancelledCtxHint(a *labApp) string {
	if !strings.Contains(a.stderr.String(), "context canceled") {
		return ""
	}
	return "hint: your program logged \"context canceled\": was srv.Shutdown given the signal's context? The signal has cancelled it, so Shutdown returns at once instead of waiting. Give it a new one: context.WithTimeout(context.Background(), cfg.ShutdownTimeout)\n"
}

// get sends GET path on a new connection, like a kubelet probe.
func (a *labApp) get(path string) (status int, body string, err error) {
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: labGuard}
	res, err := client.Get("http://" + a.addr() + path)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, 4<<10))
	return res.StatusCode, strings.TrimSpace(string(b)), nil
}

// labFakeDeps listens on two local ports standing for PostgreSQL and Redis: enough for the
// program's readiness checks, which open a TCP connection. It returns the URLs to configure.
func labFakeDeps(t *testing.T) (databaseURL, redisURL string) {
	t.Helper()
	listen := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("setting up: cannot listen: %v", err)
		}
		t.Cleanup(func() { ln.Close() })
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				c.Close()
			}
		}()
		return ln.Addr().String()
	}
	return "postgres://bookshelf:lab-password@" + listen() + "/bookshelf?sslmode=disable", "redis://" + listen() + "/0"
}

// labImport is a POST /api/v1/import in flight: the test decides when its body ends.
type labImport struct {
	a    *labApp
	conn net.Conn
	body *bufio.Reader
}

const labImportSent = "POST /api/v1/import (Transfer-Encoding: chunked), body \"Dune\\n\" then, later, \"Neuromancer\\n\" and the end"

// labStartImport starts the request and returns once the handler has answered its first line
// ("importing"): from then on the request is in flight for sure, and stays so until finish.
func labStartImport(t *testing.T, a *labApp) *labImport {
	t.Helper()
	conn, err := net.DialTimeout("tcp", a.addr(), labGuard)
	if err != nil {
		t.Fatalf("%s: cannot connect: %v\n%s", labImportSent, err, a.outputText())
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(labGuard)) // a guard against a hang, never reached when all is well
	fmt.Fprintf(conn, "POST /api/v1/import HTTP/1.1\r\nHost: %s\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n", a.addr())
	labChunk(conn, "Dune\n")
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, &http.Request{Method: http.MethodPost})
	if err != nil {
		t.Fatalf("%s: no response: %v\nhint: POST /api/v1/import is the starter's importBooks (server.go): keep it as it is, the tests use it as their long request\n%s", labImportSent, err, a.outputText())
	}
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(res.Body, 1<<10))
		t.Fatalf("%s: got status %d, want 200 and a first line \"importing\"\n%s\nhint: keep importBooks (server.go) as the starter has it", labImportSent, res.StatusCode, labIndent(string(b)))
	}
	im := &labImport{a: a, conn: conn, body: bufio.NewReader(res.Body)}
	line, err := im.body.ReadString('\n')
	if line != "importing\n" {
		t.Fatalf("%s: got first line %q (%v), want \"importing\\n\"\nhint: keep importBooks (server.go) as the starter has it", labImportSent, line, err)
	}
	return im
}

// finish sends the rest of the body and returns the rest of the response.
func (im *labImport) finish() (string, error) {
	labChunk(im.conn, "Neuromancer\n")
	io.WriteString(im.conn, "0\r\n\r\n")
	rest, err := io.ReadAll(im.body)
	return string(rest), err
}

func labChunk(w io.Writer, s string) {
	fmt.Fprintf(w, "%x\r\n%s\r\n", len(s), s)
}

// labIsRefused says whether err is a refused connection: nothing listens on the port.
func labIsRefused(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED)
}
