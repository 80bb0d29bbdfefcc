//go:build labcheck

package main

// Helpers of the hidden tests. Every name here starts with "lab" so that it cannot clash with
// a name in the learner's package.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// labWait bounds every wait of these tests, so that broken code fails with a message instead
// of hanging the check. It is a safety net, never a synchronisation: passing code never comes
// near it. The fake instances hold a request at most labHold, longer than any wait of a test,
// so that the test's own wait ends first and can say what went wrong.
const (
	labWait = 3 * time.Second
	labHold = 3 * labWait
)

// labRedis connects to REDIS_URL and empties that database (never the others).
func labRedis(t *testing.T) *redis.Client {
	t.Helper()
	url := os.Getenv("REDIS_URL")
	if url == "" {
		t.Fatal("REDIS_URL is not set: these tests need a Redis server. `lab check` starts one for you; " +
			"by hand, run Redis and export REDIS_URL=redis://localhost:6379/1")
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("REDIS_URL %q: %v", url, err)
	}
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { rdb.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), labWait)
	defer cancel()
	if err := rdb.FlushDB(ctx).Err(); err != nil {
		t.Fatalf("cannot reach Redis at %s (REDIS_URL): %v", opt.Addr, err)
	}
	return rdb
}

// labCtx is a context for one Redis command of a test.
func labCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), labWait)
	t.Cleanup(cancel)
	return ctx
}

// labClock is the fake clock the tests inject: time moves only when the test says so. It
// starts far from the real date, so that code reading the wall clock instead shows at once.
type labClock struct {
	mu  sync.Mutex
	now time.Time
}

var labEpoch = time.Date(2031, time.March, 1, 12, 0, 0, 0, time.UTC)

func newLabClock() *labClock { return &labClock{now: labEpoch} }

func (c *labClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *labClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// since is how far the clock is from where it started, for messages.
func (c *labClock) since() string { return "t0+" + c.Now().Sub(labEpoch).String() }

// labResolver is a Resolver with a fixed list, which a test may change.
type labResolver struct {
	mu sync.Mutex
	m  map[string][]string
}

func newLabResolver(m map[string][]string) *labResolver { return &labResolver{m: m} }

func (r *labResolver) Instances(_ context.Context, service string) ([]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.m[service]), nil
}

// labSeen is a request as a fake instance received it.
type labSeen struct {
	Method, Path, RawPath, Query, Host, Body string
	Header                                   http.Header
}

func (s labSeen) String() string {
	q := ""
	if s.Query != "" {
		q = "?" + s.Query
	}
	return s.Method + " " + s.Path + q
}

// labInstance is one copy of a service, on a real local HTTP server. It answers 200 with a
// JSON echo of the request (or the status a test sets), records every request, and can be
// told to crash (close the connection without answering) or to hold requests at a gate.
type labInstance struct {
	name string
	srv  *httptest.Server
	url  string

	calls   atomic.Int64
	entered chan string // one send per request (dropped when full)

	mu     sync.Mutex
	seen   []labSeen
	status int           // 0: 200 with the echo
	crash  bool          // close the connection without an answer
	gate   chan struct{} // when set, requests wait until it is closed
}

func newLabInstance(t *testing.T, name string) *labInstance {
	t.Helper()
	in := &labInstance{name: name, entered: make(chan string, 64)}
	in.srv = httptest.NewServer(http.HandlerFunc(in.serve))
	in.url = in.srv.URL
	t.Cleanup(func() {
		in.mu.Lock()
		if in.gate != nil {
			select {
			case <-in.gate:
			default:
				close(in.gate)
			}
		}
		in.mu.Unlock()
		in.srv.Close()
	})
	return in
}

// labDeadURL is the address of an instance that is down: it closes every connection as soon
// as it is made, before reading anything, like a process that crashes on every request. (A
// closed port would do too, but another program on the machine could take it meanwhile.)
func labDeadURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("setting up a dead instance: %v", err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			conn.Close()
		}
	}()
	return "http://" + ln.Addr().String()
}

func (in *labInstance) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	in.calls.Add(1)
	in.mu.Lock()
	in.seen = append(in.seen, labSeen{Method: r.Method, Path: r.URL.Path, RawPath: r.URL.RawPath, Query: r.URL.RawQuery,
		Host: r.Host, Body: string(body), Header: r.Header.Clone()})
	status, crash, gate := in.status, in.crash, in.gate
	in.mu.Unlock()
	select {
	case in.entered <- r.Method + " " + r.URL.Path:
	default:
	}
	if gate != nil {
		t := time.NewTimer(labHold)
		defer t.Stop()
		select {
		case <-gate:
		case <-t.C:
		}
	}
	if crash {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	if status != 0 && status != http.StatusOK {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"error":"%s answers %d (the test said so)"}`, in.name, status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"instance": in.name, "method": r.Method, "path": r.URL.Path, "query": r.URL.RawQuery, "body": string(body),
	})
}

func (in *labInstance) setStatus(code int) { in.mu.Lock(); in.status = code; in.mu.Unlock() }
func (in *labInstance) setCrash(on bool)   { in.mu.Lock(); in.crash = on; in.mu.Unlock() }

// hold makes the next requests wait; the function it returns lets them go.
func (in *labInstance) hold() (release func()) {
	in.mu.Lock()
	defer in.mu.Unlock()
	g := make(chan struct{})
	in.gate = g
	return sync.OnceFunc(func() {
		in.mu.Lock()
		if in.gate == g {
			in.gate = nil
		}
		in.mu.Unlock()
		close(g)
	})
}

// forget empties entered, so that the next receive is a request that comes after this call.
func (in *labInstance) forget() {
	for {
		select {
		case <-in.entered:
		default:
			return
		}
	}
}

// last is the last request the instance received.
func (in *labInstance) last() (labSeen, bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if len(in.seen) == 0 {
		return labSeen{}, false
	}
	return in.seen[len(in.seen)-1], true
}

// labGuard runs f, turning a panic or a call that never returns into a clear failure.
func labGuard(t *testing.T, what, hangHint string, f func()) {
	t.Helper()
	done := make(chan *labPanic, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- &labPanic{value: p, stack: labStack()}
				return
			}
			done <- nil
		}()
		f()
	}()
	timer := time.NewTimer(labWait)
	defer timer.Stop()
	select {
	case p := <-done:
		if p != nil {
			t.Fatalf("%s panicked: %v\n%s", what, p.value, p.stack)
		}
	case <-timer.C:
		msg := fmt.Sprintf("%s did not return within %v", what, labWait)
		if hangHint != "" {
			msg += "\nhint: " + hangHint
		}
		t.Fatal(msg)
	}
}

// labNewGateway calls the learner's newGateway.
func labNewGateway(t *testing.T, res Resolver, clock *labClock) http.Handler {
	t.Helper()
	var h http.Handler
	labGuard(t, "newGateway(resolver, now)", "", func() { h = newGateway(res, clock.Now) })
	if h == nil {
		t.Fatal("newGateway(resolver, now) returned a nil http.Handler")
	}
	return h
}

// labNewBalancer calls the learner's newBalancer.
func labNewBalancer(t *testing.T, res Resolver, clock *labClock) *balancer {
	t.Helper()
	var b *balancer
	labGuard(t, "newBalancer(resolver, now)", "", func() { b = newBalancer(res, clock.Now) })
	if b == nil {
		t.Fatal("newBalancer(resolver, now) returned nil")
	}
	return b
}

// labNewOrders calls the learner's newOrders.
func labNewOrders(t *testing.T, cfg OrdersConfig) *ordersService {
	t.Helper()
	var s *ordersService
	labGuard(t, "newOrders(cfg)", "", func() { s = newOrders(cfg) })
	if s == nil {
		t.Fatal("newOrders(cfg) returned nil")
	}
	return s
}

// labExchange is one request to an in-memory handler and the response to it, kept whole so
// that a failure can show what was sent and what came back.
type labExchange struct {
	t         *testing.T
	method    string
	target    string
	reqHeader http.Header
	reqBody   string
	status    int
	header    http.Header
	body      []byte
}

// labDo sends one request to h (without a network: httptest.NewRequest, so the client's
// address is 192.0.2.1). header holds name/value pairs.
func labDo(t *testing.T, h http.Handler, method, target, body string, header ...string) *labExchange {
	t.Helper()
	f := labLaunch(h, method, target, body, header...)
	return f.wait(t)
}

// labFlight is a request running in the background.
type labFlight struct {
	e    *labExchange
	done chan *labPanic
	rec  *httptest.ResponseRecorder
}

func labLaunch(h http.Handler, method, target, body string, header ...string) *labFlight {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	f := &labFlight{
		e:    &labExchange{method: method, target: target, reqHeader: req.Header.Clone(), reqBody: body},
		done: make(chan *labPanic, 1),
		rec:  httptest.NewRecorder(),
	}
	go func() {
		defer func() {
			if p := recover(); p != nil {
				f.done <- &labPanic{value: p, stack: labStack()}
				return
			}
			f.done <- nil
		}()
		h.ServeHTTP(f.rec, req)
	}()
	return f
}

// finished reports whether the request has been answered, without waiting.
func (f *labFlight) finished() bool { return len(f.done) > 0 }

func (f *labFlight) wait(t *testing.T) *labExchange {
	t.Helper()
	f.e.t = t
	timer := time.NewTimer(labWait)
	defer timer.Stop()
	select {
	case p := <-f.done:
		f.done <- p // keep finished() true
		if p != nil {
			t.Fatalf("%s %s: the handler panicked: %v\n%s\n\nsent:\n%s", f.e.method, f.e.target, p.value, p.stack, f.e.sent())
		}
	case <-timer.C:
		t.Fatalf("%s %s: no answer after %v: is it waiting for something that never happens?\n\nsent:\n%s",
			f.e.method, f.e.target, labWait, f.e.sent())
	}
	res := f.rec.Result()
	f.e.status, f.e.header = res.StatusCode, res.Header
	f.e.body, _ = io.ReadAll(res.Body)
	return f.e
}

// fail stops the test with msg, the hints and the whole exchange.
func (e *labExchange) fail(msg string, hints ...string) {
	e.t.Helper()
	e.t.Fatal(e.report(msg, hints))
}

func (e *labExchange) report(msg string, hints []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %s", e.method, e.target, msg)
	for _, h := range hints {
		if h != "" {
			fmt.Fprintf(&b, "\nhint: %s", h)
		}
	}
	fmt.Fprintf(&b, "\n\nsent:\n%s\ngot back:\n%s", e.sent(), e.got())
	return b.String()
}

func (e *labExchange) sent() string {
	var b strings.Builder
	fmt.Fprintf(&b, "    %s %s\n", e.method, e.target)
	labWriteHeaders(&b, e.reqHeader)
	if e.reqBody != "" {
		fmt.Fprintf(&b, "    %s\n", labClip(e.reqBody))
	}
	return b.String()
}

func (e *labExchange) got() string {
	var b strings.Builder
	fmt.Fprintf(&b, "    %d %s\n", e.status, http.StatusText(e.status))
	labWriteHeaders(&b, e.header)
	if len(e.body) > 0 {
		fmt.Fprintf(&b, "    %s\n", labClip(strings.TrimSpace(string(e.body))))
	} else {
		b.WriteString("    (no body)\n")
	}
	return b.String()
}

func labWriteHeaders(b *strings.Builder, h http.Header) {
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		fmt.Fprintf(b, "    %s: %s\n", name, strings.Join(h[name], ", "))
	}
}

// labClip keeps failure messages short: the start of a long body says enough.
func labClip(s string) string {
	const max = 600
	if len(s) > max {
		return s[:max] + fmt.Sprintf("... (%d more bytes)", len(s)-max)
	}
	return s
}

// wantStatus stops the test unless the status is want.
func (e *labExchange) wantStatus(want int, hints ...string) {
	e.t.Helper()
	if e.status != want {
		e.fail(fmt.Sprintf("got status %d %s, want %d %s", e.status, http.StatusText(e.status), want, http.StatusText(want)), hints...)
	}
}

// wantJSONError stops the test unless the response is status with a JSON body
// {"error": "..."} (a non-empty message).
func (e *labExchange) wantJSONError(status int, hints ...string) {
	e.t.Helper()
	e.wantStatus(status, hints...)
	mt, _, _ := mime.ParseMediaType(e.header.Get("Content-Type"))
	if mt != "application/json" {
		e.fail(fmt.Sprintf("got Content-Type %q, want application/json", e.header.Get("Content-Type")),
			`every error of this lab is JSON like {"error":"..."}: writeError (respond.go) writes one`)
	}
	var body struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal(e.body, &body); err != nil || strings.TrimSpace(body.Error) == "" {
		e.fail(`the body is not a JSON object with a non-empty "error"`, `writeError(w, status, "...") (respond.go) writes one`)
	}
}

// decode decodes a JSON body into v.
func (e *labExchange) decode(v any) {
	e.t.Helper()
	if err := json.Unmarshal(e.body, v); err != nil {
		e.fail(fmt.Sprintf("the body is not the JSON expected: %v", err))
	}
}

type labPanic struct {
	value any
	stack string
}

// labStack is the stack of the goroutine that calls it, cut short.
func labStack() string {
	lines := strings.Split(string(debug.Stack()), "\n")
	if len(lines) > 24 {
		lines = append(lines[:24], "\t...")
	}
	return strings.Join(lines, "\n")
}
