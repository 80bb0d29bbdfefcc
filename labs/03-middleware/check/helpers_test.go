//go:build labcheck

package main

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
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// logBuffer collects what a JSON slog handler writes; safe for concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// records parses every line as one JSON log record.
func (l *logBuffer) records(t *testing.T) []map[string]any {
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
			t.Fatalf("the logger wrote a line that is not JSON (%v): %s\nhint: log through the *slog.Logger you were given, do not print", err, clip(line, 300))
		}
		out = append(out, rec)
	}
	return out
}

// withMsg keeps the records whose msg is msg.
func withMsg(recs []map[string]any, msg string) []map[string]any {
	var out []map[string]any
	for _, r := range recs {
		if r["msg"] == msg {
			out = append(out, r)
		}
	}
	return out
}

func newTestLogger() (*slog.Logger, *logBuffer) {
	buf := &logBuffer{}
	return slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

// fakeClock is the injected clock: it moves only when the test says so.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2030, time.January, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// serve runs one request through h on a recorder. A panic that escapes h is returned, not
// raised, so one task's failure cannot crash the other tasks' tests.
func serve(h http.Handler, req *http.Request) (rec *httptest.ResponseRecorder, panicked any) {
	rec = httptest.NewRecorder()
	if h == nil {
		return rec, "the handler is nil"
	}
	defer func() { panicked = recover() }()
	h.ServeHTTP(rec, req)
	return rec, nil
}

// mustServe is serve for requests that must not panic.
func mustServe(t *testing.T, h http.Handler, req *http.Request, what string) *httptest.ResponseRecorder {
	t.Helper()
	rec, p := serve(h, req)
	if p != nil {
		t.Fatalf("%s: the handler panicked: %v", what, p)
	}
	return rec
}

// build calls a constructor from the learner's code, turning a panic into a test failure.
func build[T any](t *testing.T, what string, f func() T) (v T) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("%s panicked: %v", what, p)
		}
	}()
	return f()
}

const (
	aliceToken  = "alice-token-7f3a"
	bobToken    = "bob-token-91c2"
	testMaxBody = 1024
)

// testApp builds the app with known tokens, a generous rate limit, a 1 KiB body limit and a
// fake clock.
func testApp(t *testing.T) (http.Handler, *logBuffer) {
	t.Helper()
	logger, buf := newTestLogger()
	clock := newFakeClock()
	cfg := Config{
		Logger:       logger,
		Tokens:       map[string]string{aliceToken: "alice", bobToken: "bob"},
		Rate:         1000,
		Burst:        1000,
		IdleTTL:      time.Hour,
		MaxBodyBytes: testMaxBody,
		Now:          clock.Now,
	}
	h := build(t, "newApp(cfg)", func() http.Handler { return newApp(cfg) })
	if h == nil {
		t.Fatalf("newApp(cfg) returned nil")
	}
	return h, buf
}

// request builds a request; headers come as "Name: value" strings.
func request(method, target string, body io.Reader, headers ...string) *http.Request {
	req := httptest.NewRequestWithContext(context.Background(), method, target, body)
	for _, h := range headers {
		name, value, _ := strings.Cut(h, ":")
		req.Header.Set(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	return req
}

// describe names a request in failure messages: `POST /api/v1/notes {"title":""} (Authorization: Bearer x)`.
func describe(req *http.Request, body string, headers ...string) string {
	s := req.Method + " " + req.URL.RequestURI()
	if body != "" {
		s += " " + clip(body, 120)
	}
	if len(headers) > 0 {
		s += " (" + strings.Join(headers, ", ") + ")"
	}
	return s
}

// jsonBody decodes a JSON object response, or explains why it could not.
func jsonObject(rec *httptest.ResponseRecorder) (map[string]any, error) {
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		return nil, fmt.Errorf("body is not a JSON object (%v): %q", err, clip(rec.Body.String(), 200))
	}
	return m, nil
}

// checkJSONError checks a JSON error response: Content-Type application/json and a non-empty
// "error" string.
func checkJSONError(t *testing.T, what string, rec *httptest.ResponseRecorder) {
	t.Helper()
	if ct := rec.Result().Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: got Content-Type %q, want application/json (an error body is JSON: writeError does this)", what, ct)
	}
	m, err := jsonObject(rec)
	if err != nil {
		t.Errorf("%s: %v; want {\"error\": \"...\"}", what, err)
		return
	}
	if s, _ := m["error"].(string); s == "" {
		t.Errorf("%s: got body %s, want a non-empty \"error\" string", what, clip(rec.Body.String(), 200))
	}
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// bodyReader is a strings.Reader for a non-empty body (known Content-Length), nil otherwise.
func bodyReader(body string) io.Reader {
	if body == "" {
		return nil
	}
	return strings.NewReader(body)
}

// rateLimitOf converts to the limiter's rate type.
func rateLimitOf(perSecond float64) rate.Limit { return rate.Limit(perSecond) }
