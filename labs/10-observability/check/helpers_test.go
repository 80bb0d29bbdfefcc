//go:build labcheck

package main

// Helpers of the hidden tests. Every name here starts with "lab" so that it cannot clash with
// a name in the learner's package.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// labApp is one app built with newApp, and everything the tests gave it: a fresh Prometheus
// registry, a log buffer, a tracer provider recording spans in memory, a Sentry client whose
// transport records events, and a fake upstream rates service.
type labApp struct {
	t      *testing.T
	task   string
	h      http.Handler
	cfg    Config
	reg    *prometheus.Registry
	logs   *labLogBuffer
	spans  *tracetest.InMemoryExporter
	events *labSentryTransport
	up     *labUpstream
}

// newLabApp builds the app. setup, when not nil, may change the Config first (the logging
// tests put the learner's newLogger in it).
func newLabApp(t *testing.T, task string, setup func(cfg *Config, logs *labLogBuffer)) *labApp {
	t.Helper()
	a := &labApp{t: t, task: task, reg: prometheus.NewRegistry(), logs: &labLogBuffer{},
		spans: tracetest.NewInMemoryExporter(), events: &labSentryTransport{}}
	a.up = newLabUpstream(t)

	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(a.spans))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	client, err := sentry.NewClient(sentry.ClientOptions{
		// A made-up DSN: the transport below records events, nothing goes to the network.
		Dsn:       "https://public@sentry.invalid/1",
		Transport: a.events,
	})
	if err != nil {
		t.Fatalf("setting up: sentry.NewClient: %v", err)
	}

	a.cfg = Config{
		Registry:       a.reg,
		Logger:         slog.New(slog.NewJSONHandler(a.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		TracerProvider: tp,
		Propagator:     propagation.TraceContext{},
		Sentry:         client,
		Upstream:       a.up.srv.URL,
	}
	if setup != nil {
		setup(&a.cfg, a.logs)
	}
	func() {
		defer func() {
			if p := recover(); p != nil {
				hint := ""
				if strings.Contains(fmt.Sprint(p), "duplicate metrics collector registration") {
					hint = "\nhint: register the metrics on cfg.Registry, never on the default registry (prometheus.MustRegister, promauto.NewCounterVec...): every newApp gets a fresh registry"
				}
				t.Fatalf("newApp(cfg) panicked: %v%s\n%s", p, hint, labStack())
			}
		}()
		a.h = newApp(a.cfg)
	}()
	if a.h == nil {
		t.Fatalf("newApp(cfg) returned a nil http.Handler")
	}
	return a
}

// labTimeout bounds one request. The app answers in milliseconds; this only turns a deadlock
// or a call that never returns into a clear failure instead of a timeout of the whole check.
const labTimeout = 10 * time.Second

// get sends GET target through the app. header holds name/value pairs.
func (a *labApp) get(target string, header ...string) *labExchange {
	a.t.Helper()
	return a.serve(a.h, "GET", target, header...)
}

// serve sends one request to h (the app, or the app wrapped by a test).
func (a *labApp) serve(h http.Handler, method, target string, header ...string) *labExchange {
	a.t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	e := &labExchange{t: a.t, method: method, target: target, reqHeader: req.Header.Clone()}
	rec := httptest.NewRecorder()
	done := make(chan *labPanic, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- &labPanic{value: p, stack: labStack()}
				return
			}
			done <- nil
		}()
		h.ServeHTTP(rec, req)
	}()
	timer := time.NewTimer(labTimeout)
	defer timer.Stop()
	select {
	case p := <-done:
		if p != nil {
			hint := ""
			if strings.Contains(target, "/debug/panic") {
				hint = "\nhint: reportErrors (errortracking.go) must recover the panic and answer 500 (task error-tracking)"
			}
			a.t.Fatalf("%s %s: the panic went through the whole app: %v%s\n%s\n\nsent:\n%s", method, target, p.value, hint, p.stack, e.sent())
		}
	case <-timer.C:
		a.t.Fatalf("%s %s: no answer after %v: is a lock held forever, or a call that never returns?\n\nsent:\n%s", method, target, labTimeout, e.sent())
	}
	res := rec.Result()
	e.status, e.header = res.StatusCode, res.Header
	e.body, _ = io.ReadAll(res.Body)
	return e
}

// labExchange is one request and its response, kept so that a failure shows both.
type labExchange struct {
	t         *testing.T
	method    string
	target    string
	reqHeader http.Header
	status    int
	header    http.Header
	body      []byte
}

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
	return b.String()
}

func (e *labExchange) got() string {
	var b strings.Builder
	fmt.Fprintf(&b, "    %d %s\n", e.status, http.StatusText(e.status))
	labWriteHeaders(&b, e.header)
	if len(e.body) > 0 {
		fmt.Fprintf(&b, "    %s\n", labClip(strings.TrimSpace(string(e.body)), 600))
	} else {
		b.WriteString("    (no body)\n")
	}
	return b.String()
}

// wantStatus stops the test unless the status is want.
func (e *labExchange) wantStatus(want int, hints ...string) {
	e.t.Helper()
	if e.status != want {
		e.fail(fmt.Sprintf("got status %d %s, want %d %s", e.status, http.StatusText(e.status), want, http.StatusText(want)), hints...)
	}
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

// labClip keeps failure messages short.
func labClip(s string, max int) string {
	if len(s) > max {
		return s[:max] + fmt.Sprintf("... (%d more bytes)", len(s)-max)
	}
	return s
}

// labUpstream is the fake rates service: GET /rates/EUR → 200 {"currency":"EUR","rate":1.08},
// GET /rates/XTS → 500 (XTS is the ISO 4217 code reserved for testing), anything else 404. It remembers the traceparent of every call.
type labUpstream struct {
	srv          *httptest.Server
	mu           sync.Mutex
	traceparents []string
	calls        int
}

func newLabUpstream(t *testing.T) *labUpstream {
	u := &labUpstream{}
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.mu.Lock()
		u.calls++
		u.traceparents = append(u.traceparents, r.Header.Get("Traceparent"))
		u.mu.Unlock()
		switch r.URL.Path {
		case "/rates/EUR":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"currency":"EUR","rate":1.08}`)
		case "/rates/XTS":
			http.Error(w, "upstream exploded", http.StatusInternalServerError)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(u.srv.Close)
	return u
}

func (u *labUpstream) received() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return slices.Clone(u.traceparents)
}

// labLogBuffer collects what a JSON slog handler writes; safe for concurrent use.
type labLogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *labLogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *labLogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *labLogBuffer) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Reset()
}

// records parses every line as one JSON log record.
func (l *labLogBuffer) records(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(l.String()))
	sc.Buffer(make([]byte, 0, 64*1024), 4<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("the logger wrote a line that is not JSON (%v): %s\nhint: newLogger must use slog.NewJSONHandler, and everything must log through the *slog.Logger, never print", err, labClip(line, 300))
		}
		out = append(out, rec)
	}
	return out
}

// labWithMsg keeps the records whose msg is msg.
func labWithMsg(recs []map[string]any, msg string) []map[string]any {
	var out []map[string]any
	for _, r := range recs {
		if r["msg"] == msg {
			out = append(out, r)
		}
	}
	return out
}

// labSentryTransport is a sentry.Transport that keeps the events instead of sending them.
// The client calls SendEvent before CaptureException (or Recover) returns.
type labSentryTransport struct {
	mu     sync.Mutex
	events []*sentry.Event
}

func (tr *labSentryTransport) Configure(sentry.ClientOptions) {}

func (tr *labSentryTransport) SendEvent(e *sentry.Event) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.events = append(tr.events, e)
}

func (tr *labSentryTransport) Flush(time.Duration) bool              { return true }
func (tr *labSentryTransport) FlushWithContext(context.Context) bool { return true }
func (tr *labSentryTransport) Close()                                {}

// errorEvents are the events recorded so far, transactions left out.
func (tr *labSentryTransport) errorEvents() []*sentry.Event {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	var out []*sentry.Event
	for _, e := range tr.events {
		if e.Type != "transaction" {
			out = append(out, e)
		}
	}
	return out
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

// labGuard runs f and turns a panic into a failure naming what was called.
func labGuard(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("%s panicked: %v\n%s", what, p, labStack())
		}
	}()
	f()
}
