//go:build labcheck

package main

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// sessionLogin signs in through POST /session/login and returns the session cookie.
func sessionLogin(t *testing.T, app *App, username, password string, opts ...reqOpt) *http.Cookie {
	t.Helper()
	r := do(t, app, "POST", "/session/login", creds{username, password}, opts...)
	wantCode(t, r, http.StatusOK, "")
	c := r.cookie("session")
	if c == nil || c.Value == "" {
		t.Fatalf("%s: got Set-Cookie %q, want a cookie named session", r.req, r.header.Values("Set-Cookie"))
	}
	return c
}

// adaSession signs ada up, starts a session and checks GET /me works with it.
func adaSession(t *testing.T, app *App) *http.Cookie {
	t.Helper()
	signup(t, app, "ada", "correct horse battery")
	c := sessionLogin(t, app, "ada", "correct horse battery")
	r := do(t, app, "GET", "/me", nil, withCookies(c))
	wantCode(t, r, http.StatusOK, "read the session cookie in userFromSession and look its id up in a.sessions")
	return c
}

func TestSessionLoginSetsSafeCookie(t *testing.T) {
	app, _ := newTestApp(t)
	// A username that random text cannot contain by chance ("ada" turns up in one hex id in 70).
	signup(t, app, "marguerite", "correct horse battery")
	r := do(t, app, "POST", "/session/login", creds{"marguerite", "correct horse battery"})
	wantCode(t, r, http.StatusOK, "")
	c := r.cookie("session")
	if c == nil {
		t.Fatalf("%s: got Set-Cookie %q, want a cookie named session", r.req, r.header.Values("Set-Cookie"))
	}
	raw := strings.Join(r.header.Values("Set-Cookie"), " | ")
	switch {
	case !c.HttpOnly:
		t.Fatalf("%s: got Set-Cookie %q, want HttpOnly (page scripts, and so XSS, must not read the session)", r.req, raw)
	case !c.Secure:
		t.Fatalf("%s: got Set-Cookie %q, want Secure (never sent over plain HTTP)", r.req, raw)
	case c.SameSite != http.SameSiteLaxMode && c.SameSite != http.SameSiteStrictMode:
		t.Fatalf("%s: got Set-Cookie %q, want SameSite=Lax or Strict (not sent on cross-site POSTs: CSRF)", r.req, raw)
	case c.Path != "/":
		t.Fatalf("%s: got Set-Cookie %q, want Path=/ (the session is for the whole app)", r.req, raw)
	case len(c.Value) < 22 || strings.Contains(c.Value, "marguerite"):
		t.Fatalf("%s: got session id %q, want at least 128 random bits (22+ characters) from crypto/rand, nothing derived from the user", r.req, c.Value)
	}
	again := sessionLogin(t, app, "marguerite", "correct horse battery")
	if again.Value == c.Value {
		t.Fatalf("two logins got the same session id %q, want a new random id each time", c.Value)
	}
	bad := do(t, app, "POST", "/session/login", creds{"marguerite", "wrong password"})
	wantCode(t, bad, http.StatusUnauthorized, "")
	if bad.cookie("session") != nil {
		t.Fatalf("%s: got Set-Cookie %q, want no session for a wrong password", bad.req, bad.header.Values("Set-Cookie"))
	}
}

func TestSessionCookieAuthenticates(t *testing.T) {
	app, _ := newTestApp(t)
	c := adaSession(t, app)
	r := do(t, app, "GET", "/me", nil, withCookies(c))
	var v struct{ Username, Role string }
	r.decode(t, &v)
	if v.Username != "ada" {
		t.Fatalf(`%s: got %s, want {"username":"ada","role":"user"}`, r.req, r)
	}
	wantCode(t, do(t, app, "GET", "/notes", nil, withCookies(c)), http.StatusOK, "the session works on every route that needs a user")
	forged := &http.Cookie{Name: "session", Value: c.Value + "x"}
	wantCode(t, do(t, app, "GET", "/me", nil, withCookies(forged)), http.StatusUnauthorized, "an id the app never issued")
}

func TestLogoutRevokesSession(t *testing.T) {
	app, _ := newTestApp(t)
	c := adaSession(t, app)
	r := do(t, app, "POST", "/session/logout", nil, withCookies(c))
	wantCode(t, r, http.StatusNoContent, "")
	if cleared := r.cookie("session"); cleared == nil || (cleared.MaxAge >= 0 && cleared.Value != "") {
		t.Fatalf("%s: got Set-Cookie %q, want the session cookie cleared (MaxAge: -1)", r.req, r.header.Values("Set-Cookie"))
	}
	wantCode(t, do(t, app, "GET", "/me", nil, withCookies(c)), http.StatusUnauthorized,
		"the old cookie still works after logout: delete the session from a.sessions, a stolen copy of the cookie must die too")
}

func TestSessionExpires(t *testing.T) {
	app, clock := newTestApp(t)
	c := adaSession(t, app)
	clock.Advance(sessTTL - time.Second)
	wantCode(t, do(t, app, "GET", "/me", nil, withCookies(c)), http.StatusOK, "one second before the end of SessionTTL (2h) the session is live")
	clock.Advance(2 * time.Second)
	wantCode(t, do(t, app, "GET", "/me", nil, withCookies(c)), http.StatusUnauthorized,
		"SessionTTL (2h) is over by cfg.Now: compare a.cfg.Now() with the session's expiry")
}

func TestSessionLoginRotatesID(t *testing.T) {
	app, _ := newTestApp(t)
	old := adaSession(t, app)
	fresh := sessionLogin(t, app, "ada", "correct horse battery", withCookies(old))
	if fresh.Value == old.Value {
		t.Fatalf("POST /session/login with Cookie session=%s: got the same id back, want a new one (session fixation)", old.Value)
	}
	wantCode(t, do(t, app, "GET", "/me", nil, withCookies(fresh)), http.StatusOK, "")
	wantCode(t, do(t, app, "GET", "/me", nil, withCookies(old)), http.StatusUnauthorized,
		"logging in with a session cookie must delete that session: an id planted by an attacker before login must not become a signed-in session")
}
