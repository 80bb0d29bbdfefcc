//go:build labcheck

package main

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	oauthClientID     = "notes-app"
	oauthClientSecret = "notes-app-client-secret"
	oauthRedirect     = "https://notes.lab.test/oauth/callback"
)

// fakeProvider is an OAuth2 provider in an httptest server: /token checks the code, the
// redirect_uri, the client's credentials and PKCE; /userinfo answers {"sub": ...}.
type fakeProvider struct {
	srv *httptest.Server

	mu         sync.Mutex
	n          int
	codes      map[string]grant  // issued codes
	tokens     map[string]string // access token -> sub
	tokenCalls int               // requests to /token
	exchanged  int               // codes traded for a token
	lastErr    string            // why /token last said no
}

type grant struct {
	challenge, redirect, sub string
	used                     bool
}

func newFakeProvider(t *testing.T) *fakeProvider {
	p := &fakeProvider{codes: map[string]grant{}, tokens: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", p.token)
	mux.HandleFunc("GET /userinfo", p.userinfo)
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *fakeProvider) config(c *Config) {
	c.OAuth = OAuthConfig{
		ClientID:     oauthClientID,
		ClientSecret: oauthClientSecret,
		AuthURL:      p.srv.URL + "/authorize",
		TokenURL:     p.srv.URL + "/token",
		UserInfoURL:  p.srv.URL + "/userinfo",
		RedirectURL:  oauthRedirect,
	}
}

// approve plays the user who signs in at the provider as sub and consents: it returns the
// code the provider would send back, bound to the PKCE challenge of the authorize URL.
func (p *fakeProvider) approve(q url.Values, sub string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	code := fmt.Sprintf("code-%d", p.n)
	p.codes[code] = grant{challenge: q.Get("code_challenge"), redirect: q.Get("redirect_uri"), sub: sub}
	return code
}

func (p *fakeProvider) fail(w http.ResponseWriter, code, why string) {
	p.lastErr = why
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": why})
}

func (p *fakeProvider) token(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tokenCalls++
	if err := r.ParseForm(); err != nil {
		p.fail(w, "invalid_request", err.Error())
		return
	}
	id, secret, ok := r.BasicAuth()
	if ok {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	g, known := p.codes[r.PostForm.Get("code")]
	verifier := r.PostForm.Get("code_verifier")
	sum := sha256.Sum256([]byte(verifier))
	switch {
	case id != oauthClientID || secret != oauthClientSecret:
		p.fail(w, "invalid_client", "wrong client_id or client_secret")
	case r.PostForm.Get("grant_type") != "authorization_code":
		p.fail(w, "unsupported_grant_type", "want grant_type=authorization_code")
	case !known:
		p.fail(w, "invalid_grant", fmt.Sprintf("unknown code %q", r.PostForm.Get("code")))
	case g.used:
		p.fail(w, "invalid_grant", "code already used")
	case r.PostForm.Get("redirect_uri") != g.redirect:
		p.fail(w, "invalid_grant", "redirect_uri differs from the one in the authorize request")
	case g.challenge == "" || verifier == "":
		p.fail(w, "invalid_grant", "no PKCE: the authorize URL needs code_challenge and the token request code_verifier")
	case base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge:
		p.fail(w, "invalid_grant", "code_verifier does not match the code_challenge (S256)")
	default:
		code := r.PostForm.Get("code")
		g.used = true
		p.codes[code] = g
		p.exchanged++
		at := fmt.Sprintf("access-%d", p.exchanged)
		p.tokens[at] = g.sub
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": at, "token_type": "Bearer", "expires_in": 3600})
	}
}

func (p *fakeProvider) userinfo(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	sub, ok := p.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
	p.mu.Unlock()
	if !ok {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"sub": sub, "name": "Ada Lovelace", "email": "ada@example.com"})
}

func (p *fakeProvider) counts() (calls, exchanged int, lastErr string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tokenCalls, p.exchanged, p.lastErr
}

// withDeadline bounds a request that makes the app call the provider, so a stuck call fails
// the test instead of hanging it.
func withDeadline(t *testing.T) reqOpt {
	return func(r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 20*time.Second)
		t.Cleanup(cancel)
		*r = *r.WithContext(ctx)
	}
}

// startOAuth does GET /oauth/login and returns the authorize URL's query and the cookies set.
func startOAuth(t *testing.T, app *App, p *fakeProvider) (url.Values, []*http.Cookie) {
	t.Helper()
	r := do(t, app, "GET", "/oauth/login", nil)
	wantCode(t, r, http.StatusFound, "redirect the browser to the provider: http.Redirect(w, r, authCodeURL, http.StatusFound)")
	loc, err := url.Parse(r.header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), p.srv.URL+"/authorize?") {
		t.Fatalf("%s: got Location %q, want the provider's AuthURL %s/authorize?...", r.req, r.header.Get("Location"), p.srv.URL)
	}
	return loc.Query(), r.cookies
}

func callback(t *testing.T, app *App, params url.Values, cookies []*http.Cookie) reply {
	t.Helper()
	return do(t, app, "GET", "/oauth/callback?"+params.Encode(), nil, withCookies(cookies...), withDeadline(t))
}

// signInWithProvider runs the whole flow as the provider user sub and wants a 200.
func signInWithProvider(t *testing.T, app *App, p *fakeProvider, sub string) reply {
	t.Helper()
	q, cookies := startOAuth(t, app, p)
	code := p.approve(q, sub)
	r := callback(t, app, url.Values{"code": {code}, "state": {q.Get("state")}}, cookies)
	if r.code != http.StatusOK {
		_, _, why := p.counts()
		if why != "" {
			why = "\nthe fake provider's /token last said: " + why
		}
		t.Fatalf("%s (after GET /oauth/login and the user's consent): got %s, want 200%s", r.req, r, why)
	}
	return r
}

func TestOAuthLoginRedirectsWithStateAndPKCE(t *testing.T) {
	p := newFakeProvider(t)
	app, _ := newTestApp(t, p.config)
	q, cookies := startOAuth(t, app, p)
	for k, want := range map[string]string{
		"response_type":         "code",
		"client_id":             oauthClientID,
		"redirect_uri":          oauthRedirect,
		"code_challenge_method": "S256",
	} {
		if got := q.Get(k); got != want {
			t.Fatalf("GET /oauth/login: the authorize URL has %s=%q, want %q", k, got, want)
		}
	}
	if len(q.Get("state")) < 16 {
		t.Fatalf("GET /oauth/login: the authorize URL has state=%q, want a random value (16+ characters)", q.Get("state"))
	}
	if len(q.Get("code_challenge")) != 43 {
		t.Fatalf("GET /oauth/login: the authorize URL has code_challenge=%q, want the S256 challenge of a PKCE verifier (43 characters): oauth2.S256ChallengeOption(verifier)", q.Get("code_challenge"))
	}
	httpOnly := false
	for _, c := range cookies {
		httpOnly = httpOnly || (c.HttpOnly && c.Value != "")
	}
	if !httpOnly {
		t.Fatalf("GET /oauth/login: got no HttpOnly cookie, want one that ties the state to this browser (the oauth_state cookie)")
	}
	q2, _ := startOAuth(t, app, p)
	if q2.Get("state") == q.Get("state") || q2.Get("code_challenge") == q.Get("code_challenge") {
		t.Fatalf("two GET /oauth/login gave state %q and %q, code_challenge %q and %q: want fresh random ones each time",
			q.Get("state"), q2.Get("state"), q.Get("code_challenge"), q2.Get("code_challenge"))
	}
}

func TestOAuthCallbackSignsUserIn(t *testing.T) {
	p := newFakeProvider(t)
	app, _ := newTestApp(t, p.config)
	r := signInWithProvider(t, app, p, "4242")
	var v struct{ Username, Role string }
	r.decode(t, &v)
	if v.Username != "oauth:4242" || v.Role != "user" {
		t.Fatalf(`%s: got %s, want {"username":"oauth:4242","role":"user"} (the provider's sub, not its email)`, r.req, r)
	}
	sess := r.cookie("session")
	if sess == nil || sess.Value == "" {
		t.Fatalf("%s: got Set-Cookie %q, want a session cookie: a.startSession(w, username)", r.req, r.header.Values("Set-Cookie"))
	}
	me := do(t, app, "GET", "/me", nil, withCookies(sess))
	wantCode(t, me, http.StatusOK, "the session from the callback must sign the user in (and the sessions task must be done)")
	if !strings.Contains(me.body, `"oauth:4242"`) {
		t.Fatalf(`%s: got %s, want username "oauth:4242"`, me.req, me)
	}
	again := signInWithProvider(t, app, p, "4242")
	if !strings.Contains(again.body, `"oauth:4242"`) {
		t.Fatalf("%s, signing in a second time: got %s, want the same user oauth:4242 (find it, do not fail on an existing user)", again.req, again)
	}
}

func TestOAuthCallbackChecksState(t *testing.T) {
	p := newFakeProvider(t)
	app, _ := newTestApp(t, p.config)

	// The control: a proper sign-in works, and its callback is kept to replay later.
	q1, cookies1 := startOAuth(t, app, p)
	good := url.Values{"code": {p.approve(q1, "4242")}, "state": {q1.Get("state")}}
	wantCode(t, callback(t, app, good, cookies1), http.StatusOK, "a proper callback must sign in")

	q, cookies := startOAuth(t, app, p)
	code := p.approve(q, "4242")
	before, _, _ := p.counts()
	for _, c := range []struct {
		what    string
		params  url.Values
		cookies []*http.Cookie
	}{
		{"a state that is not the one this browser got", url.Values{"code": {code}, "state": {"forged-state-0123456789"}}, cookies},
		{"the right state but no cookie (another browser: login CSRF)", url.Values{"code": {code}, "state": {q.Get("state")}}, nil},
		{"no state at all", url.Values{"code": {code}}, cookies},
	} {
		r := callback(t, app, c.params, c.cookies)
		if r.code != http.StatusBadRequest || r.cookie("session") != nil {
			t.Fatalf("callback with %s, %s: got %s, want 400 and no session\nhint: compare the state parameter with the oauth_state cookie before anything else", c.what, r.req, r)
		}
		if after, _, _ := p.counts(); after != before {
			t.Fatalf("callback with %s, %s: the app called the provider's /token, want it to stop at the state check", c.what, r.req)
		}
	}

	r := callback(t, app, good, cookies1)
	if (r.code != http.StatusBadRequest && r.code != http.StatusUnauthorized) || r.cookie("session") != nil {
		t.Fatalf("replaying the first callback, %s: got %s, want 400 (or 401) and no session: a state works once (a.pending.Take)", r.req, r)
	}

	// The provider refuses a used code, so the replay above is refused even when the state is
	// not taken. A finished state with a code the provider would still accept must be refused by
	// the app itself.
	before, _, _ = p.counts()
	fresh := url.Values{"code": {p.approve(q1, "4242")}, "state": {q1.Get("state")}}
	r = callback(t, app, fresh, cookies1)
	if r.code != http.StatusBadRequest || r.cookie("session") != nil {
		t.Fatalf("callback with the state of a sign-in that already finished and a new code, %s: got %s, want 400 and no session\nhint: a state works once: take it out of a.pending when the callback uses it (a.pending.Take), before talking to the provider", r.req, r)
	}
	if after, _, _ := p.counts(); after != before {
		t.Fatalf("callback with the state of a sign-in that already finished, %s: the app called the provider's /token, want it to stop at the state check", r.req)
	}
}

func TestOAuthCallbackRejectsFailedSignIn(t *testing.T) {
	p := newFakeProvider(t)
	app, _ := newTestApp(t, p.config)

	q, cookies := startOAuth(t, app, p)
	r := callback(t, app, url.Values{"error": {"access_denied"}, "state": {q.Get("state")}}, cookies)
	if r.code != http.StatusUnauthorized || r.cookie("session") != nil {
		t.Fatalf("the user said no at the provider, %s: got %s, want 401 and no session", r.req, r)
	}

	q, cookies = startOAuth(t, app, p)
	p.approve(q, "4242")
	r = callback(t, app, url.Values{"code": {"code-that-was-never-issued"}, "state": {q.Get("state")}}, cookies)
	if r.code != http.StatusUnauthorized || r.cookie("session") != nil {
		t.Fatalf("a code the provider refuses to exchange, %s: got %s, want 401 and no session", r.req, r)
	}

	q, cookies = startOAuth(t, app, p)
	code := p.approve(q, "") // the provider's userinfo will answer {"sub":""}
	r = callback(t, app, url.Values{"code": {code}, "state": {q.Get("state")}}, cookies)
	if r.code != http.StatusUnauthorized || r.cookie("session") != nil {
		t.Fatalf("the provider's userinfo answered an empty sub, %s: got %s, want 401 and no session: without a sub there is nobody to sign in", r.req, r)
	}
}
