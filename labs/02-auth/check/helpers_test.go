//go:build labcheck

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

const (
	testSecret = "hidden-test-secret-3f9a1c7e5b2d4a60"
	testIssuer = "https://notes.lab.test"
	testTTL    = 10 * time.Minute
	sessTTL    = 2 * time.Hour
)

// testStart is where every fake clock starts: a whole second (JWT times are whole seconds) far
// from the real date, so an app that reads time.Now instead of cfg.Now gets caught.
var testStart = time.Date(2035, time.March, 14, 15, 9, 26, 0, time.UTC)

// fakeClock is the app's clock in the tests: it moves only when a test moves it.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// newTestApp builds the app the way every hidden test does; edit may change the Config.
func newTestApp(t *testing.T, edit ...func(*Config)) (*App, *fakeClock) {
	t.Helper()
	clock := &fakeClock{now: testStart}
	cfg := Config{
		JWTSecret:    []byte(testSecret),
		Issuer:       testIssuer,
		TokenTTL:     testTTL,
		SessionTTL:   sessTTL,
		Now:          clock.Now,
		PasswordCost: bcrypt.MinCost,
		Admins:       []string{"root"},
	}
	for _, e := range edit {
		e(&cfg)
	}
	var app *App
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Fatalf("newApp(cfg) panicked: %v", p)
			}
		}()
		app = newApp(cfg)
	}()
	if app == nil {
		t.Fatalf("newApp(cfg) returned nil")
	}
	return app, clock
}

// reply is what came back from one request, with the request itself for messages.
type reply struct {
	req     string // "POST /login {...}"
	code    int
	header  http.Header
	body    string
	cookies []*http.Cookie
}

func (r reply) String() string {
	b := strings.TrimSpace(r.body)
	if len(b) > 300 {
		b = b[:300] + "..."
	}
	if b == "" {
		return fmt.Sprintf("%d (empty body)", r.code)
	}
	return fmt.Sprintf("%d %s", r.code, b)
}

// cookie returns the Set-Cookie with that name, or nil.
func (r reply) cookie(name string) *http.Cookie {
	var found *http.Cookie
	for _, c := range r.cookies {
		if c.Name == name {
			found = c
		}
	}
	return found
}

// decode reads the JSON body into v or fails the test.
func (r reply) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.body), v); err != nil {
		t.Fatalf("%s: got body %q, want JSON (%v)", r.req, strings.TrimSpace(r.body), err)
	}
}

// reqOpt changes a request before it is sent.
type reqOpt func(*http.Request)

func bearer(tok string) reqOpt {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }
}

func header(name, value string) reqOpt {
	return func(r *http.Request) { r.Header.Set(name, value) }
}

func withCookies(cs ...*http.Cookie) reqOpt {
	return func(r *http.Request) {
		for _, c := range cs {
			if c != nil {
				r.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
			}
		}
	}
}

// do sends one request straight to the app's ServeHTTP. A panic in the app fails the test
// instead of killing every other test.
func do(t *testing.T, h http.Handler, method, target string, body any, opts ...reqOpt) reply {
	t.Helper()
	var rd io.Reader
	desc := method + " " + target
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		rd = bytes.NewReader(b)
		desc += " " + string(b)
	}
	req := httptest.NewRequest(method, target, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, o := range opts {
		o(req)
	}
	if h := req.Header.Get("Authorization"); h != "" {
		desc += " (Authorization: " + short(h) + ")"
	}
	if h := req.Header.Get("X-API-Key"); h != "" {
		desc += " (X-API-Key: " + short(h) + ")"
	}
	if h := req.Header.Get("Cookie"); h != "" {
		desc += " (Cookie: " + short(h) + ")"
	}
	rec := httptest.NewRecorder()
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Fatalf("%s: the app panicked: %v", desc, p)
			}
		}()
		h.ServeHTTP(rec, req)
	}()
	res := rec.Result()
	return reply{req: desc, code: res.StatusCode, header: res.Header, body: rec.Body.String(), cookies: res.Cookies()}
}

func short(s string) string {
	if len(s) > 60 {
		return s[:40] + "..." + s[len(s)-12:]
	}
	return s
}

// wantCode fails the test unless the reply has that status.
func wantCode(t *testing.T, r reply, want int, hint string) {
	t.Helper()
	if r.code != want {
		msg := fmt.Sprintf("%s: got %s, want %d", r.req, r, want)
		if hint != "" {
			msg += "\nhint: " + hint
		}
		t.Fatal(msg)
	}
}

type creds struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// signup creates a user through the API or fails the test.
func signup(t *testing.T, app *App, username, password string) {
	t.Helper()
	r := do(t, app, "POST", "/signup", creds{username, password})
	wantCode(t, r, http.StatusCreated, "")
}

// login returns an access token through POST /login.
func login(t *testing.T, app *App, username, password string) string {
	t.Helper()
	r := do(t, app, "POST", "/login", creds{username, password})
	wantCode(t, r, http.StatusOK, "")
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	r.decode(t, &tr)
	if tr.AccessToken == "" {
		t.Fatalf("%s: got %s, want a non-empty access_token (finish the jwt task first)", r.req, r)
	}
	return tr.AccessToken
}

// userToken signs a user up and logs them in, and checks the token works on GET /me: the
// tasks after jwt need working tokens.
func userToken(t *testing.T, app *App, username string) string {
	t.Helper()
	signup(t, app, username, "password-of-"+username)
	tok := login(t, app, username, "password-of-"+username)
	r := do(t, app, "GET", "/me", nil, bearer(tok))
	wantCode(t, r, http.StatusOK, "this task needs working bearer tokens: finish the jwt task first")
	return tok
}
