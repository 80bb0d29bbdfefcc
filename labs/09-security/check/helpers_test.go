//go:build labcheck

package main

// Helpers of the hidden tests. Every name here starts with "lab" so that it cannot clash with
// a name in the learner's package.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	labHost     = "shop.example"
	labSite     = "https://shop.example"     // the shop's own origin
	labSPA      = "https://app.shop.example" // its single-page app: allowed by CORS
	labAdminSPA = "https://admin.shop.example"
	labEvil     = "https://evil.example"
	labPassword = "correct horse battery" // every seeded user's password
	// labRemote is RemoteAddr when a test does not pick one (httptest's default).
	labRemote = "192.0.2.1:1234"
)

// labTimeout bounds one request. Handlers answer in milliseconds; this only turns a deadlock
// (a lock never released, a database connection never returned) into a clear failure.
const labTimeout = 10 * time.Second

// labStart is where every fake clock starts: far from the real date, so that code reading
// time.Now instead of Config.Now gets caught.
var labStart = time.Date(2035, time.March, 14, 15, 9, 26, 0, time.UTC)

// labArgon2 are the "current" argon2id parameters of the tests: small, so that hashing stays
// fast. labOldArgon2 are "outdated" ones.
var (
	labArgon2    = Argon2Params{Memory: 8 * 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	labOldArgon2 = Argon2Params{Memory: 4 * 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
)

// labLimits are the brute-force limits of the tests.
var labLimits = LoginLimits{PerAccount: 5, PerIP: 20, Window: 15 * time.Minute}

// labClock is the app's clock: it moves only when a test moves it.
type labClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *labClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *labClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// labSHA256 is a legacy hash of 2014: hex(sha256(password)), no salt.
func labSHA256(password string) string {
	sum := sha256.Sum256([]byte(password))
	return hex.EncodeToString(sum[:])
}

// labUsers is an in-memory UserStore, for the tasks that need no database.
type labUsers struct {
	mu    sync.Mutex
	users map[string]User
}

func labNewUsers(users ...User) *labUsers {
	s := &labUsers{users: make(map[string]User)}
	for _, u := range users {
		s.users[u.Username] = u
	}
	return s
}

func (s *labUsers) GetUser(ctx context.Context, username string) (User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[username]
	if !ok {
		return User{}, ErrNoUser
	}
	return u, nil
}

func (s *labUsers) CreateUser(ctx context.Context, u User) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[u.Username]; ok {
		return ErrUserExists
	}
	s.users[u.Username] = u
	return nil
}

func (s *labUsers) ReplacePasswordHash(ctx context.Context, username, oldHash, newHash string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[username]
	if !ok {
		return ErrNoUser
	}
	if u.PasswordHash != oldHash {
		return ErrHashChanged
	}
	u.PasswordHash = newHash
	s.users[username] = u
	return nil
}

func (s *labUsers) SetEmail(ctx context.Context, username, email string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[username]
	if !ok {
		return ErrNoUser
	}
	u.Email = email
	s.users[username] = u
	return nil
}

func (s *labUsers) email(username string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.users[username].Email
}

// labApp is the app under test, with its fake clock, its users (when they are in memory) and
// the cookies it has set, which every later request sends back, as a browser would.
type labApp struct {
	t       *testing.T
	h       http.Handler
	clock   *labClock
	users   *labUsers // nil when the users are in the database
	cookies map[string]string
}

// labConfig is the Config of the tests: ada and bob in memory (legacy SHA-256 hashes, which
// every version of the app accepts), two allowed origins, small argon2id parameters.
func labConfig(clock *labClock) (Config, *labUsers) {
	users := labNewUsers(
		User{Username: "ada", Email: "ada@shop.example", PasswordHash: labSHA256(labPassword)},
		User{Username: "bob", Email: "bob@shop.example", PasswordHash: labSHA256(labPassword)},
	)
	return Config{
		Users:          users,
		Now:            clock.Now,
		Argon2:         labArgon2,
		AllowedOrigins: []string{labSPA, labAdminSPA},
		LoginLimits:    labLimits,
	}, users
}

// labNewApp builds the app the way every test does; edit may change the Config.
func labNewApp(t *testing.T, edit ...func(*Config)) *labApp {
	t.Helper()
	clock := &labClock{now: labStart}
	cfg, users := labConfig(clock)
	for _, e := range edit {
		e(&cfg)
	}
	if cfg.Users == nil {
		users = nil
	}
	h, err := labCallNewApp(t, cfg)
	if err != nil {
		t.Fatalf("newApp(cfg) returned the error %q for a valid Config (AllowedOrigins %q)", err, cfg.AllowedOrigins)
	}
	if h == nil {
		t.Fatalf("newApp(cfg) returned a nil http.Handler and no error")
	}
	return &labApp{t: t, h: h, clock: clock, users: users, cookies: map[string]string{}}
}

// labCallNewApp calls newApp and turns a panic into a failure.
func labCallNewApp(t *testing.T, cfg Config) (h http.Handler, err error) {
	t.Helper()
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Fatalf("newApp(cfg) panicked: %v\n%s\nhint: a route registered twice makes ServeMux panic", p, labStack())
			}
		}()
		h, err = newApp(cfg)
	}()
	return h, err
}

// labReq is one request to send.
type labReq struct {
	method string
	url    string   // absolute: https://shop.example/... (TLS) or http://shop.example/... (plain)
	body   string   // sent as is
	header []string // name/value pairs
	remote string   // RemoteAddr; "" means labRemote
	// unknownLength sends the body without a Content-Length, as with chunked encoding.
	unknownLength bool
	noCookies     bool // do not send the cookies the app set before
}

// send sends one request straight to the handler (no network) and returns the exchange.
func (a *labApp) send(q labReq) *labExchange {
	a.t.Helper()
	var rd io.Reader
	if q.body != "" {
		rd = strings.NewReader(q.body)
	}
	req := httptest.NewRequest(q.method, q.url, rd)
	if q.remote != "" {
		req.RemoteAddr = q.remote
	}
	if q.unknownLength && q.body != "" {
		req.Body = io.NopCloser(strings.NewReader(q.body))
		req.ContentLength = -1
	}
	for i := 0; i+1 < len(q.header); i += 2 {
		req.Header.Add(q.header[i], q.header[i+1])
	}
	if !q.noCookies {
		names := make([]string, 0, len(a.cookies))
		for name := range a.cookies {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			req.AddCookie(&http.Cookie{Name: name, Value: a.cookies[name]})
		}
	}
	e := &labExchange{t: a.t, q: q, reqHeader: req.Header.Clone(), remote: req.RemoteAddr}

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
		a.h.ServeHTTP(rec, req)
	}()
	timer := time.NewTimer(labTimeout)
	defer timer.Stop()
	select {
	case p := <-done:
		if p != nil {
			a.t.Fatalf("%s %s: the handler panicked: %v\n%s\n\nsent:\n%s", q.method, q.url, p.value, p.stack, e.sent())
		}
	case <-timer.C:
		a.t.Fatalf("%s %s: no answer after %v: is a lock held forever, or a database connection never "+
			"returned to the pool (rows.Close() forgotten)?\n\nsent:\n%s", q.method, q.url, labTimeout, e.sent())
	}
	res := rec.Result()
	e.status, e.header = res.StatusCode, res.Header
	e.body, _ = io.ReadAll(res.Body)
	e.cookies = res.Cookies()
	for _, c := range e.cookies {
		if c.MaxAge < 0 {
			delete(a.cookies, c.Name)
		} else {
			a.cookies[c.Name] = c.Value
		}
	}
	return e
}

// postJSON sends body as application/json over HTTPS, the way a script would (no Origin, no
// Sec-Fetch-* headers). header holds more name/value pairs.
func (a *labApp) postJSON(path, body, remote string, header ...string) *labExchange {
	a.t.Helper()
	return a.send(labReq{method: http.MethodPost, url: labSite + path, body: body, remote: remote,
		header: append([]string{"Content-Type", "application/json"}, header...)})
}

// login sends POST /login with username and password from remote ("" for labRemote).
func (a *labApp) login(username, password, remote string, header ...string) *labExchange {
	a.t.Helper()
	body, _ := json.Marshal(map[string]string{"username": username, "password": password})
	return a.postJSON("/login", string(body), remote, header...)
}

// mustLogin signs username in (with labPassword) and stops the test if that fails.
func (a *labApp) mustLogin(username string) {
	a.t.Helper()
	e := a.login(username, labPassword, "")
	if e.status != http.StatusOK {
		e.fail(fmt.Sprintf("setting up: the login of %s got status %d, want 200", username, e.status),
			"the tests sign in users whose stored hash is a legacy SHA-256 hash: verifyPassword (passwords.go) must keep accepting those")
	}
	if a.cookies["session"] == "" {
		e.fail("setting up: the login set no cookie named \"session\"", "startSession (sessions.go) sets it")
	}
}

// labExchange is one request and the response to it, kept whole so that a failure can show
// what was sent and what came back.
type labExchange struct {
	t         *testing.T
	q         labReq
	reqHeader http.Header
	remote    string
	status    int
	header    http.Header
	body      []byte
	cookies   []*http.Cookie
}

// fail stops the test with msg, the hints and the whole exchange.
func (e *labExchange) fail(msg string, hints ...string) {
	e.t.Helper()
	e.t.Fatal(e.report(msg, hints))
}

// errorf records a failure and lets the test go on.
func (e *labExchange) errorf(msg string, hints ...string) {
	e.t.Helper()
	e.t.Error(e.report(msg, hints))
}

func (e *labExchange) report(msg string, hints []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %s", e.q.method, e.q.url, msg)
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
	fmt.Fprintf(&b, "    %s %s\n", e.q.method, e.q.url)
	if e.remote != labRemote {
		fmt.Fprintf(&b, "    (from RemoteAddr %s)\n", e.remote)
	}
	labWriteHeaders(&b, e.reqHeader)
	if e.q.body != "" {
		fmt.Fprintf(&b, "    %s\n", labClip(e.q.body))
		if e.q.unknownLength {
			b.WriteString("    (sent without Content-Length, like a chunked body)\n")
		}
	}
	return b.String()
}

func (e *labExchange) got() string {
	var b strings.Builder
	fmt.Fprintf(&b, "    %d %s\n", e.status, http.StatusText(e.status))
	labWriteHeaders(&b, e.header)
	if len(e.body) > 0 {
		body := labClip(strings.TrimSpace(string(e.body)))
		fmt.Fprintf(&b, "    %s\n", strings.ReplaceAll(body, "\n", "\n    "))
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

// decodeJSON checks that the response is JSON and decodes it into v.
func (e *labExchange) decodeJSON(v any) {
	e.t.Helper()
	if ct := e.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		e.fail(fmt.Sprintf("got Content-Type %q, want application/json", ct), "writeJSON (httpx.go) sets it")
	}
	if err := json.Unmarshal(e.body, v); err != nil {
		e.fail(fmt.Sprintf("the body is not the JSON expected: %v", err))
	}
}

// cookie returns the cookie the response set with that name, or nil.
func (e *labExchange) cookie(name string) *http.Cookie {
	for _, c := range e.cookies {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// labTokens splits comma-separated header values (Vary, Access-Control-Allow-Methods...) into
// trimmed tokens.
func labTokens(h http.Header, name string) []string {
	var out []string
	for _, v := range h.Values(name) {
		for _, tok := range strings.Split(v, ",") {
			if tok = strings.TrimSpace(tok); tok != "" {
				out = append(out, tok)
			}
		}
	}
	return out
}

// labHasToken reports whether the header lists tok, ignoring case.
func labHasToken(h http.Header, name, tok string) bool {
	for _, t := range labTokens(h, name) {
		if strings.EqualFold(t, tok) {
			return true
		}
	}
	return false
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
