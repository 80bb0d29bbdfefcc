//go:build labcheck

package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// limited builds rateLimit(newRateLimiter(...)) around a handler that counts its calls.
func limited(t *testing.T, limit float64, burst int, idle time.Duration, clock *fakeClock) (*rateLimiter, http.Handler, *atomic.Int64) {
	t.Helper()
	calls := &atomic.Int64{}
	l := build(t, "newRateLimiter", func() *rateLimiter { return newRateLimiter(rateLimitOf(limit), burst, idle, clock.Now) })
	if l == nil {
		t.Fatalf("newRateLimiter(%v, %d, %v, clock.Now) returned nil", limit, burst, idle)
	}
	h := build(t, "rateLimit(l)", func() http.Handler {
		return rateLimit(l)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			w.Write([]byte("ok"))
		}))
	})
	return l, h, calls
}

// from sends GET / from a client address and returns status and Retry-After.
func from(t *testing.T, h http.Handler, addr string) (int, string, string) {
	t.Helper()
	req := request("GET", "/", nil)
	req.RemoteAddr = addr
	what := "GET / from " + addr
	rec := mustServe(t, h, req, what)
	if rec.Code == http.StatusTooManyRequests {
		checkJSONError(t, what, rec)
	}
	return rec.Code, rec.Result().Header.Get("Retry-After"), what
}

func TestRateLimitAllowsBurstThen429(t *testing.T) {
	clock := newFakeClock()
	_, h, calls := limited(t, 1, 3, time.Hour, clock)
	for i := 1; i <= 3; i++ {
		if code, _, what := from(t, h, "192.0.2.10:40000"); code != http.StatusOK {
			t.Fatalf("rate 1/s, burst 3: request %d: %s: got status %d, want 200 (the burst allows 3 at once)", i, what, code)
		}
	}
	code, retry, what := from(t, h, "192.0.2.10:40000")
	if code != http.StatusTooManyRequests {
		t.Fatalf("rate 1/s, burst 3, same instant: request 4: %s: got status %d, want 429", what, code)
	}
	if retry != "1" {
		t.Errorf("rate 1/s, burst 3: request 4: %s: got Retry-After %q, want \"1\" (whole seconds until the next token, rounded up)", what, retry)
	}
	if n := calls.Load(); n != 3 {
		t.Errorf("rate 1/s, burst 3: the handler ran %d times for 4 requests, want 3 (a refused request must not reach it)", n)
	}
}

func TestRateLimitIsPerClient(t *testing.T) {
	clock := newFakeClock()
	_, h, _ := limited(t, 1, 2, time.Hour, clock)
	steps := []struct {
		addr string
		want int
		why  string
	}{
		{"192.0.2.10:40000", 200, "A's first"},
		{"192.0.2.10:40001", 200, "A's second, from another port: same client"},
		{"192.0.2.10:40002", 429, "A's third: A's bucket is empty"},
		{"192.0.2.20:40000", 200, "B's first: B has its own bucket"},
		{"[2001:db8::1]:443", 200, "C (IPv6) first"},
		{"[2001:db8::1]:444", 200, "C second"},
		{"[2001:db8::1]:445", 429, "C third"},
		{"192.0.2.20:40000", 200, "B's second"},
	}
	for i, s := range steps {
		code, _, what := from(t, h, s.addr)
		if code != s.want {
			hint := ""
			if s.want == 429 && i == 2 {
				hint = "\nhint: one bucket per clientIP(r) (the address without the port); a burst of 2 allows exactly 2 requests while the clock stands still"
			}
			t.Fatalf("rate 1/s, burst 2, clock stopped: step %d (%s): %s: got status %d, want %d%s", i+1, s.why, what, code, s.want, hint)
		}
	}
}

func TestRateLimitRefillsOnInjectedClock(t *testing.T) {
	clock := newFakeClock()
	_, h, _ := limited(t, 0.5, 1, time.Hour, clock) // one token every 2 s
	addr := "192.0.2.30:5000"
	steps := []struct {
		advance   time.Duration
		want      int
		wantRetry string
	}{
		{0, 200, ""},
		{0, 429, "2"},
		{time.Second, 429, "1"},
		{time.Second, 200, ""},
		{0, 429, "2"},
		{10 * time.Second, 200, ""},
	}
	elapsed := time.Duration(0)
	for i, s := range steps {
		clock.Advance(s.advance)
		elapsed += s.advance
		code, retry, what := from(t, h, addr)
		if code != s.want {
			hint := ""
			if s.want == 200 && code == 429 {
				hint = "\nhint: the limiter must read the injected clock: AllowN(l.now(), 1), never Allow() (it reads the wall clock)"
			}
			t.Fatalf("rate 0.5/s, burst 1: step %d at fake t=%v: %s: got status %d, want %d%s", i+1, elapsed, what, code, s.want, hint)
		}
		if s.wantRetry != "" && retry != s.wantRetry {
			t.Fatalf("rate 0.5/s, burst 1: step %d at fake t=%v: %s: got Retry-After %q, want %q (seconds until the next token on the injected clock, rounded up)\nhint: every limiter call takes the time: AllowN(now, 1), TokensAt(now); Allow, Reserve and Tokens read the wall clock", i+1, elapsed, what, retry, s.wantRetry)
		}
	}
}

// TestRateLimitRetryAfterRoundsUp moves the clock to fractions of a second, where rounding
// matters: a client told to come back too early is refused again, and "Retry-After: 0" invites
// an immediate retry that cannot succeed.
func TestRateLimitRetryAfterRoundsUp(t *testing.T) {
	clock := newFakeClock()
	_, h, _ := limited(t, 0.5, 1, time.Hour, clock) // one token every 2 s
	addr := "192.0.2.31:5000"
	start := clock.Now()
	if code, _, what := from(t, h, addr); code != 200 {
		t.Fatalf("rate 0.5/s, burst 1: the first request, %s: got status %d, want 200", what, code)
	}
	for _, s := range []struct {
		at        time.Duration // fake time since the first request
		wantRetry string
		why       string
	}{
		{700 * time.Millisecond, "2", "the next token is 1.3 s away: 1 s is too early, so round up to 2"},
		{1600 * time.Millisecond, "1", "the next token is 0.4 s away: never send 0, which tells the client to retry at once; round up to 1"},
	} {
		clock.Advance(s.at - clock.Now().Sub(start))
		code, retry, what := from(t, h, addr)
		if code != 429 {
			t.Fatalf("rate 0.5/s, burst 1: at fake t=%v after the first request, %s: got status %d, want 429 (no token has come back yet)", s.at, what, code)
		}
		if retry != s.wantRetry {
			t.Fatalf("rate 0.5/s, burst 1: at fake t=%v after the first request, %s: got Retry-After %q, want %q: %s\nhint: compute the wait in seconds as a float, then math.Ceil, and at least 1", s.at, what, retry, s.wantRetry, s.why)
		}
	}
}

func TestRateLimitEvictsIdleBuckets(t *testing.T) {
	clock := newFakeClock()
	l, h, _ := limited(t, 1, 5, time.Minute, clock)
	step := func(advance time.Duration, addr string, wantSize int, why string) {
		t.Helper()
		clock.Advance(advance)
		if code, _, what := from(t, h, addr); code != http.StatusOK {
			t.Fatalf("%s: got status %d, want 200", what, code)
		}
		if got := l.size(); got != wantSize {
			hint := "at most once per idleTTL (on the injected clock), delete the buckets whose lastSeen is idleTTL or more ago"
			if got == 0 {
				hint = "allow must keep each client's bucket in l.buckets (size counts them)"
			}
			t.Fatalf("idle TTL 1m, fake clock: %s: l.size() = %d, want %d\nhint: %s", why, got, wantSize, hint)
		}
	}
	step(0, "192.0.2.1:1", 1, "t=0s, client .1 → buckets {.1}")
	step(0, "192.0.2.2:1", 2, "t=0s, client .2 → buckets {.1 .2}")
	step(30*time.Second, "192.0.2.1:1", 2, "t=30s, client .1 again → buckets {.1 .2}")
	step(31*time.Second, "192.0.2.3:1", 2, "t=61s, client .3: .2 idle for 61s is evicted, .1 (idle 31s) stays → buckets {.1 .3}")
	step(139*time.Second, "192.0.2.4:1", 1, "t=200s, client .4: .1 and .3 are idle for over a minute → buckets {.4}")
}

// TestRateLimitIsSafeForConcurrentUse runs its body in a child process: an unguarded map
// written from many goroutines can kill the process ("fatal error: concurrent map writes"),
// and that must not take the other tests' results with it.
func TestRateLimitIsSafeForConcurrentUse(t *testing.T) {
	if os.Getenv(concurrentChildEnv) == "1" {
		concurrentRateLimit(t)
		return
	}
	ctx := t.Context()
	if dl, ok := t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, dl.Add(-time.Second))
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestRateLimitIsSafeForConcurrentUse$", "-test.count=1")
	cmd.Env = append(os.Environ(), concurrentChildEnv+"=1", "GOMAXPROCS=8")
	out, err := cmd.CombinedOutput()
	if err != nil {
		msg := childMessage(string(out))
		if line := firstLine(string(out), "concurrent map"); line != "" {
			msg = "concurrent requests from 500 clients: the process crashed: " + line +
				"\nhint: the bucket map is shared by every request: lock l.mu for the whole of allow"
		}
		if msg == "" {
			msg = fmt.Sprintf("concurrent requests from 500 clients: the run failed (%v):\n%s", err, clip(string(out), 1500))
		}
		t.Fatal(msg)
	}
}

const concurrentChildEnv = "LAB_CHECK_RATELIMIT_CHILD"

// childMessage keeps the failure text of the child's output, without its test framing.
func childMessage(out string) string {
	var keep []string
	for _, ln := range strings.Split(out, "\n") {
		trimmed := strings.TrimSpace(ln)
		switch {
		case trimmed == "", trimmed == "FAIL", trimmed == "PASS",
			strings.HasPrefix(trimmed, "--- "), strings.HasPrefix(trimmed, "=== "):
			continue
		}
		// "    zz_lab_ratelimit_test.go:219: message" → "message"
		if _, rest, ok := strings.Cut(trimmed, "_test.go:"); ok {
			if _, msg, ok := strings.Cut(rest, ": "); ok {
				trimmed = msg
			}
		}
		keep = append(keep, trimmed)
	}
	return clip(strings.Join(keep, "\n"), 1500)
}

func firstLine(s, sub string) string {
	for _, ln := range strings.Split(s, "\n") {
		if strings.Contains(ln, sub) {
			return strings.TrimSpace(ln)
		}
	}
	return ""
}

func concurrentRateLimit(t *testing.T) {
	// Several rounds, each with a fresh limiter: a lost update or an unguarded map shows up
	// in far more runs than with one.
	rounds := 5
	if raceEnabled {
		rounds = 1
	}
	for round := range rounds {
		concurrentRound(t, round)
	}
}

func concurrentRound(t *testing.T, round int) {
	clock := newFakeClock()
	_, h, calls := limited(t, 1, 2, time.Hour, clock)
	const clients, perClient = 500, 3
	const n = clients * perClient
	var start sync.WaitGroup // a barrier: every goroutine is ready before any request goes
	start.Add(1)
	var wg sync.WaitGroup
	codes := make([]int, n)
	for i := range n {
		wg.Go(func() {
			req := request("GET", "/", nil)
			req.RemoteAddr = fmt.Sprintf("198.51.%d.%d:%d", i%clients/250, i%clients%250, 1000+i)
			start.Wait()
			rec, p := serve(h, req)
			if p != nil {
				codes[i] = -1
				return
			}
			codes[i] = rec.Code
		})
	}
	start.Done()
	wg.Wait()
	var ok, limitedCount, other int
	for _, c := range codes {
		switch c {
		case 200:
			ok++
		case 429:
			limitedCount++
		default:
			other++
		}
	}
	if ok != 2*clients || limitedCount != clients || other != 0 || calls.Load() != 2*clients {
		detail := ""
		if other > 0 {
			detail = fmt.Sprintf(" (statuses, -1 for a panic: %v)", codes)
		}
		t.Fatalf("round %d: rate 1/s, burst 2, clock stopped: %d concurrent requests, 3 from each of %d clients: got %d×200, %d×429, %d other%s; the handler ran %d times; want %d×200 (2 per client) and %d×429\nhint: the bucket map is shared by every request: lock l.mu for the whole of allow",
			round+1, n, clients, ok, limitedCount, other, detail, calls.Load(), 2*clients, clients)
	}
}
