//go:build labcheck

package main

// Helpers of the hidden tests. Every name here starts with "lab" so that it cannot clash with
// a name in the learner's package.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime/debug"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// labWait bounds every wait of these tests, so that broken code fails with a message instead
// of hanging the check. It is a safety net, never a synchronisation: passing code never comes
// near it. The fake sender holds a blocked Send longer (labHold), so the test's own wait
// always ends first and can say what went wrong.
const (
	labWait = 5 * time.Second
	labHold = 3 * labWait
)

// labT0 is the fake clock's start: every time in the failure messages is shown from it.
var labT0 = time.Date(2030, 1, 7, 9, 0, 0, 0, time.UTC)

// The Redis keys of the lesson.
const (
	labQueue      = "jobs:queue"
	labProcessing = "jobs:processing"
	labScheduled  = "jobs:scheduled"
	labDead       = "jobs:dead"
	labRecurring  = "jobs:recurring"
)

// labClock is the fake clock the queue gets: it moves only when the test moves it.
type labClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *labClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *labClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func (c *labClock) advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// labAt prints a time as an offset from labT0: "t0+5s".
func labAt(t time.Time) string { return labOffset(t.UnixMilli()) }

func labOffset(ms int64) string {
	d := time.Duration(ms-labT0.UnixMilli()) * time.Millisecond
	if d < 0 {
		return "t0-" + (-d).String()
	}
	return "t0+" + d.String()
}

// labEnv is what a test works with: a Redis database of its own, the fake clock, the
// learner's queue on both, and a fake sender.
type labEnv struct {
	t      *testing.T
	rdb    *redis.Client
	clock  *labClock
	q      *Queue
	sender *labSender
}

// labNewEnv connects to REDIS_URL, empties that database (never the others) and builds the
// queue with NewQueue(rdb, clock).
func labNewEnv(t *testing.T) *labEnv {
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
	// The name lets the cleanup find this test's connections, among those of other checks.
	opt.ClientName = fmt.Sprintf("lab07-%d-%s", os.Getpid(), t.Name())
	rdb := redis.NewClient(opt)
	t.Cleanup(func() {
		labKillClients(rdb, opt.ClientName)
		rdb.Close()
	})
	ctx, cancel := context.WithTimeout(context.Background(), labWait)
	defer cancel()
	if err := rdb.FlushDB(ctx).Err(); err != nil {
		t.Fatalf("cannot reach Redis at %s (REDIS_URL): %v", opt.Addr, err)
	}
	e := &labEnv{t: t, rdb: rdb, clock: &labClock{now: labT0}, sender: labNewSender()}
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Fatalf("NewQueue(rdb, clock) panicked: %v\n%s", p, labStack())
			}
		}()
		e.q = NewQueue(rdb, e.clock)
	}()
	if e.q == nil {
		t.Fatal("NewQueue(rdb, clock) returned nil")
	}
	return e
}

// labKillClients closes, on the server's side, every connection named name but the one it
// uses: a blocking command the learner's code left behind (a BLMOVE that never returns) must
// not take the next test's jobs. Best effort: a server that refuses CLIENT KILL is left alone.
func labKillClients(rdb *redis.Client, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), labWait)
	defer cancel()
	conn := rdb.Conn()
	defer conn.Close()
	self, err := conn.ClientID(ctx).Result()
	if err != nil {
		return
	}
	list, err := conn.ClientList(ctx).Result()
	if err != nil {
		return
	}
	for _, line := range strings.Split(list, "\n") {
		var id int64 = -1
		named := false
		for _, field := range strings.Fields(line) {
			k, v, _ := strings.Cut(field, "=")
			switch k {
			case "id":
				id, _ = strconv.ParseInt(v, 10, 64)
			case "name":
				named = v == name
			}
		}
		if named && id >= 0 && id != self {
			conn.ClientKillByFilter(ctx, "ID", strconv.FormatInt(id, 10))
		}
	}
}

// worker builds a worker with NewWorker(queue, the fake sender).
func (e *labEnv) worker() *Worker {
	e.t.Helper()
	var w *Worker
	func() {
		defer func() {
			if p := recover(); p != nil {
				e.t.Fatalf("NewWorker(queue, sender) panicked: %v\n%s", p, labStack())
			}
		}()
		w = NewWorker(e.q, e.sender)
	}()
	if w == nil {
		e.t.Fatal("NewWorker(queue, sender) returned nil")
	}
	return w
}

// fatalf stops the test with msg, then what Redis and the sender look like now.
func (e *labEnv) fatalf(format string, args ...any) {
	e.t.Helper()
	e.t.Fatal(fmt.Sprintf(format, args...) + "\n\n" + e.dump())
}

// errorf records a failure and lets the test go on, for checks that do not depend on each other.
func (e *labEnv) errorf(format string, args ...any) {
	e.t.Helper()
	e.t.Error(fmt.Sprintf(format, args...) + "\n\n" + e.dump())
}

// dump shows the queue's keys, the jobs' hashes and the sender's calls, compactly.
func (e *labEnv) dump() string {
	ctx, cancel := context.WithTimeout(context.Background(), labWait)
	defer cancel()
	var b strings.Builder
	b.WriteString("Redis now (times from t0, the fake clock's start):\n")
	for _, key := range []string{labQueue, labProcessing, labDead} {
		vals, err := e.rdb.LRange(ctx, key, 0, -1).Result()
		fmt.Fprintf(&b, "    %-16s %s\n", key, labShowList(vals, err))
	}
	for _, key := range []string{labScheduled, labRecurring} {
		zs, err := e.rdb.ZRangeWithScores(ctx, key, 0, -1).Result()
		fmt.Fprintf(&b, "    %-16s %s\n", key, labShowZSet(zs, err))
	}
	var jobs []string
	iter := e.rdb.Scan(ctx, 0, "job:*", 100).Iterator()
	for iter.Next(ctx) {
		jobs = append(jobs, iter.Val())
	}
	sort.Strings(jobs)
	const maxJobs = 6
	for i, key := range jobs {
		if i == maxJobs {
			fmt.Fprintf(&b, "    ... and %d more job:* hashes\n", len(jobs)-maxJobs)
			break
		}
		h, err := e.rdb.HGetAll(ctx, key).Result()
		if err != nil {
			if strings.Contains(err.Error(), "WRONGTYPE") {
				fmt.Fprintf(&b, "    %-16s not a hash\n", key)
				continue
			}
			fmt.Fprintf(&b, "    %-16s (%v)\n", key, err)
			continue
		}
		fmt.Fprintf(&b, "    %-16s %s\n", key, labShowHash(h))
	}
	if len(jobs) == 0 {
		b.WriteString("    (no job:* hashes)\n")
	}
	b.WriteString("sender: " + e.sender.String())
	return b.String()
}

func labShowList(vals []string, err error) string {
	if err != nil {
		return "(" + labRedisErr(err) + ")"
	}
	return "[" + strings.Join(labClipList(vals), " ") + "]"
}

func labShowZSet(zs []redis.Z, err error) string {
	if err != nil {
		return "(" + labRedisErr(err) + ")"
	}
	var parts []string
	for _, z := range zs {
		parts = append(parts, fmt.Sprintf("%v@%s", z.Member, labOffset(int64(z.Score))))
	}
	return "{" + strings.Join(labClipList(parts), " ") + "}"
}

func labRedisErr(err error) string {
	if strings.Contains(err.Error(), "WRONGTYPE") {
		return "wrong type: " + err.Error()
	}
	return err.Error()
}

func labClipList(vals []string) []string {
	if len(vals) > 8 {
		return append(slices.Clip(vals[:8]), fmt.Sprintf("...(%d more)", len(vals)-8))
	}
	return vals
}

// labShowHash shows the fields that matter first, then the rest, each value clipped.
func labShowHash(h map[string]string) string {
	first := []string{"state", "attempts", "last_error", "to", "subject"}
	var parts []string
	for _, k := range first {
		if v, ok := h[k]; ok {
			parts = append(parts, k+"="+labQuoteShort(v))
		}
	}
	var rest []string
	for k := range h {
		if !slices.Contains(first, k) && k != "body" && k != "created_at" {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		parts = append(parts, k+"="+labQuoteShort(h[k]))
	}
	return "{" + strings.Join(parts, " ") + "}"
}

func labQuoteShort(s string) string {
	if len(s) > 48 {
		s = s[:45] + "..."
	}
	if s == "" || strings.ContainsAny(s, " \t\n\"") {
		return strconv.Quote(s)
	}
	return s
}

// Redis reads.

func (e *labEnv) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), labWait)
}

func (e *labEnv) list(key string) []string {
	e.t.Helper()
	ctx, cancel := e.ctx()
	defer cancel()
	vals, err := e.rdb.LRange(ctx, key, 0, -1).Result()
	if err != nil {
		e.fatalf("Redis LRANGE %s 0 -1: %v (%s must be a list)", key, err, key)
	}
	return vals
}

// score is the score of member in the sorted set key, and whether it is there.
func (e *labEnv) score(key, member string) (int64, bool) {
	e.t.Helper()
	ctx, cancel := e.ctx()
	defer cancel()
	s, err := e.rdb.ZScore(ctx, key, member).Result()
	if errors.Is(err, redis.Nil) {
		return 0, false
	}
	if err != nil {
		e.fatalf("Redis ZSCORE %s %s: %v (%s must be a sorted set)", key, member, err, key)
	}
	return int64(s), true
}

func (e *labEnv) zcard(key string) int64 {
	e.t.Helper()
	ctx, cancel := e.ctx()
	defer cancel()
	n, err := e.rdb.ZCard(ctx, key).Result()
	if err != nil {
		e.fatalf("Redis ZCARD %s: %v (%s must be a sorted set)", key, err, key)
	}
	return n
}

func (e *labEnv) hash(id string) map[string]string {
	e.t.Helper()
	ctx, cancel := e.ctx()
	defer cancel()
	h, err := e.rdb.HGetAll(ctx, "job:"+id).Result()
	if err != nil {
		e.fatalf("Redis HGETALL job:%s: %v (job:{id} must be a hash)", id, err)
	}
	return h
}

// wantState stops the test unless job id's hash says state want.
func (e *labEnv) wantState(id, want, context string, hints ...string) {
	e.t.Helper()
	h := e.hash(id)
	if got := h["state"]; got != want {
		msg := fmt.Sprintf("%s: job:%s has state %q, want %q", context, id, got, want)
		if len(h) == 0 {
			msg = fmt.Sprintf("%s: job:%s does not exist, want a hash with state %q", context, id, want)
		}
		e.fatalf("%s%s", msg, labHints(hints))
	}
}

// wantList stops the test unless the list key holds exactly want (in that order).
func (e *labEnv) wantList(key string, want []string, context string, hints ...string) {
	e.t.Helper()
	if got := e.list(key); !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
		e.fatalf("%s: %s is [%s], want [%s]%s", context, key, strings.Join(got, " "), strings.Join(want, " "), labHints(hints))
	}
}

// wantAttempts stops the test unless job id's hash says attempts want.
func (e *labEnv) wantAttempts(id string, want int, context string, hints ...string) {
	e.t.Helper()
	got := e.hash(id)["attempts"]
	if got != strconv.Itoa(want) {
		e.fatalf("%s: job:%s has attempts=%q, want %d%s", context, id, got, want, labHints(hints))
	}
}

func labHints(hints []string) string {
	var b strings.Builder
	for _, h := range hints {
		if h != "" {
			b.WriteString("\nhint: " + h)
		}
	}
	return b.String()
}

// seedJob writes a queued job the way the lesson lays it out: the hash job:{id}, and the id
// LPUSHed onto jobs:queue.
func (e *labEnv) seedJob(id string, m Email) {
	e.t.Helper()
	ctx, cancel := e.ctx()
	defer cancel()
	_, err := e.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, "job:"+id, "to", m.To, "subject", m.Subject, "body", m.Body,
			"state", "queued", "attempts", 0, "created_at", e.clock.Now().Format(time.RFC3339Nano))
		p.LPush(ctx, labQueue, id)
		return nil
	})
	if err != nil {
		e.t.Fatalf("setting up: writing job:%s to Redis: %v", id, err)
	}
}

// requeue puts job id back at the right end of jobs:queue (the next taken), wherever it is
// now: the test plays the part of a scheduler or of a recovery.
func (e *labEnv) requeue(id string) {
	e.t.Helper()
	ctx, cancel := e.ctx()
	defer cancel()
	_, err := e.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.ZRem(ctx, labScheduled, id)
		p.LRem(ctx, labProcessing, 0, id)
		p.LRem(ctx, labQueue, 0, id)
		p.RPush(ctx, labQueue, id)
		return nil
	})
	if err != nil {
		e.t.Fatalf("setting up: moving job %s back onto %s: %v", id, labQueue, err)
	}
}

// labEmail is the email of test job n.
func labEmail(n int) Email {
	return Email{To: fmt.Sprintf("user%d@example.com", n), Subject: fmt.Sprintf("Welcome #%d", n), Body: "Hello!"}
}

// Calls into the learner's code, each bounded and with panics turned into failures.

// call runs fn in a goroutine: a panic, or no return within labWait, stops the test.
func (e *labEnv) call(what string, fn func(ctx context.Context), hints ...string) {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan *labPanic, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- &labPanic{value: p, stack: labStack()}
				return
			}
			done <- nil
		}()
		fn(ctx)
	}()
	timer := time.NewTimer(labWait)
	defer timer.Stop()
	select {
	case p := <-done:
		if p != nil {
			e.fatalf("%s panicked: %v\n%s", what, p.value, p.stack)
		}
	case <-timer.C:
		e.fatalf("%s did not return within %v%s", what, labWait, labHints(hints))
	}
}

// processOne runs worker.ProcessOne once and returns what it says.
func (e *labEnv) processOne(w *Worker) bool {
	e.t.Helper()
	var ok bool
	var err error
	e.call("worker.ProcessOne(ctx)", func(ctx context.Context) { ok, err = w.ProcessOne(ctx) },
		"ProcessOne must not wait for a job: Take(ctx, 0) returns at once when jobs:queue is empty (LMOVE, not BLMOVE with a timeout of 0, which blocks forever)")
	if err != nil {
		e.fatalf("worker.ProcessOne(ctx) returned the error %v, want nil (an email that fails to send is recorded by Fail, it is not an error of ProcessOne)", err)
	}
	return ok
}

// take runs queue.Take(ctx, 0).
func (e *labEnv) take() (Job, bool) {
	e.t.Helper()
	var job Job
	var ok bool
	var err error
	e.call("queue.Take(ctx, 0)", func(ctx context.Context) { job, ok, err = e.q.Take(ctx, 0) },
		"with wait == 0, Take must return at once: LMOVE, not BLMOVE (whose timeout 0 means forever)")
	if err != nil {
		e.fatalf("queue.Take(ctx, 0) returned the error %v", err)
	}
	return job, ok
}

func (e *labEnv) ack(id string) {
	e.t.Helper()
	var err error
	e.call("queue.Ack(ctx, "+strconv.Quote(id)+")", func(ctx context.Context) { err = e.q.Ack(ctx, id) })
	if err != nil {
		e.fatalf("queue.Ack(ctx, %q) returned the error %v", id, err)
	}
}

func (e *labEnv) recoverStale(now time.Time) int {
	e.t.Helper()
	var n int
	var err error
	what := fmt.Sprintf("queue.RecoverStale(ctx, %s)", labAt(now))
	e.call(what, func(ctx context.Context) { n, err = e.q.RecoverStale(ctx, now) })
	if err != nil {
		e.fatalf("%s returned the error %v", what, err)
	}
	return n
}

func (e *labEnv) promote(now time.Time) int {
	e.t.Helper()
	var n int
	var err error
	what := fmt.Sprintf("queue.Promote(ctx, %s)", labAt(now))
	e.call(what, func(ctx context.Context) { n, err = e.q.Promote(ctx, now) })
	if err != nil {
		e.fatalf("%s returned the error %v", what, err)
	}
	return n
}

// labSender is the fake email provider. It counts calls and successful sends per job id,
// fails when told to, and can hold every Send until the test releases it.
type labSender struct {
	mu        sync.Mutex
	calls     map[string]int
	sent      map[string]int
	log       []string
	failures  map[string]int  // job id -> how many more Sends fail; -1 for always
	permanent map[string]bool // job id -> fail with ErrPermanent

	block   chan struct{} // when set, Send waits until it is closed (or its ctx ends)
	entered chan string   // when set, Send reports its job id here first
	once    sync.Once
}

func labNewSender() *labSender {
	return &labSender{calls: map[string]int{}, sent: map[string]int{}, failures: map[string]int{}, permanent: map[string]bool{}}
}

// labTempFailure is the error of a failing Send.
const labTempFailure = "451 4.3.0 mail server busy, try again later (fake failure)"

func (s *labSender) Send(ctx context.Context, jobID string, m Email) error {
	s.mu.Lock()
	s.calls[jobID]++
	n := s.calls[jobID]
	block, entered := s.block, s.entered
	s.log = append(s.log, fmt.Sprintf("%s#%d in flight", jobID, n))
	entry := len(s.log) - 1
	s.mu.Unlock()
	if entered != nil {
		select {
		case entered <- jobID:
		default:
		}
	}
	if block != nil {
		t := time.NewTimer(labHold)
		defer t.Stop()
		select {
		case <-block:
		case <-ctx.Done():
			s.record(entry, jobID, n, "aborted: "+ctx.Err().Error())
			return ctx.Err()
		case <-t.C:
			s.record(entry, jobID, n, "never released by the test")
			return errors.New("fake sender: the test never released this Send (timed out)")
		}
	}
	if err := ctx.Err(); err != nil {
		// A real provider's request dies with its context.
		s.record(entry, jobID, n, "aborted: "+err.Error())
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.permanent[jobID] {
		s.log[entry] = fmt.Sprintf("%s#%d failed for good", jobID, n)
		return fmt.Errorf("550 5.1.1 mailbox %s does not exist (fake): %w", m.To, ErrPermanent)
	}
	if f := s.failures[jobID]; f != 0 {
		if f > 0 {
			s.failures[jobID] = f - 1
		}
		s.log[entry] = fmt.Sprintf("%s#%d failed", jobID, n)
		return errors.New(labTempFailure)
	}
	s.sent[jobID]++
	s.log[entry] = fmt.Sprintf("%s#%d sent", jobID, n)
	return nil
}

func (s *labSender) record(entry int, jobID string, n int, what string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log[entry] = fmt.Sprintf("%s#%d %s", jobID, n, what)
}

// release lets every held Send go on.
func (s *labSender) release() {
	s.mu.Lock()
	block := s.block
	s.mu.Unlock()
	if block != nil {
		s.once.Do(func() { close(block) })
	}
}

func (s *labSender) callsOf(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[id]
}

func (s *labSender) sentOf(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sent[id]
}

func (s *labSender) totalCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		n += c
	}
	return n
}

// String lists the Send calls in the order they started: "a#1 failed, a#2 sent, b#1 in flight".
func (s *labSender) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.log) == 0 {
		return "no Send calls"
	}
	return strings.Join(labClipList(s.log), ", ")
}

// HTTP.

// labExchange is one request to the handler and its response, kept whole for the messages.
type labExchange struct {
	method, target, body string
	status               int
	header               http.Header
	resp                 []byte
}

func (x *labExchange) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "sent:\n    %s %s\n", x.method, x.target)
	if x.body != "" {
		fmt.Fprintf(&b, "    Content-Type: application/json\n    %s\n", x.body)
	}
	fmt.Fprintf(&b, "got back:\n    %d %s\n", x.status, http.StatusText(x.status))
	names := make([]string, 0, len(x.header))
	for k := range x.header {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Fprintf(&b, "    %s: %s\n", k, strings.Join(x.header[k], ", "))
	}
	body := strings.TrimSpace(string(x.resp))
	if len(body) > 400 {
		body = body[:400] + "..."
	}
	if body == "" {
		body = "(no body)"
	}
	fmt.Fprintf(&b, "    %s", body)
	return b.String()
}

// server builds the handler with newServer(queue).
func (e *labEnv) server() http.Handler {
	e.t.Helper()
	var h http.Handler
	func() {
		defer func() {
			if p := recover(); p != nil {
				e.t.Fatalf("newServer(queue) panicked: %v\n%s", p, labStack())
			}
		}()
		h = newServer(e.q)
	}()
	if h == nil {
		e.t.Fatal("newServer(queue) returned a nil http.Handler")
	}
	return h
}

// do sends one request to h; a panic or a handler that does not answer stops the test.
func (e *labEnv) do(h http.Handler, method, target, body string) *labExchange {
	e.t.Helper()
	x := &labExchange{method: method, target: target, body: body}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	e.call(method+" "+target, func(context.Context) { h.ServeHTTP(rec, req) })
	res := rec.Result()
	x.status, x.header = res.StatusCode, res.Header
	x.resp, _ = io.ReadAll(res.Body)
	return x
}

// fail stops the test with msg, the exchange and the Redis state.
func (e *labEnv) failx(x *labExchange, msg string, hints ...string) {
	e.t.Helper()
	e.fatalf("%s %s: %s%s\n\n%s", x.method, x.target, msg, labHints(hints), x)
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
