package main

import (
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

const (
	oauthStateCookie = "oauth_state"
	oauthLoginTTL    = 10 * time.Minute
)

// pendingLogin is a sign-in that went to the provider and has not come back yet.
type pendingLogin struct {
	verifier string // the PKCE code_verifier; only its S256 hash goes to the provider
	expires  time.Time
}

// PendingLogins maps OAuth2 state values to pending logins. Safe for concurrent use.
type PendingLogins struct {
	mu     sync.Mutex
	logins map[string]pendingLogin
}

func newPendingLogins() *PendingLogins { return &PendingLogins{logins: map[string]pendingLogin{}} }

func (p *PendingLogins) Put(state string, pl pendingLogin) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.logins[state] = pl
}

// Take returns the pending login for state and forgets it: a state works once.
func (p *PendingLogins) Take(state string) (pendingLogin, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pl, ok := p.logins[state]
	delete(p.logins, state)
	return pl, ok
}

func (a *App) oauthConfig() *oauth2.Config {
	o := a.cfg.OAuth
	return &oauth2.Config{
		ClientID:     o.ClientID,
		ClientSecret: o.ClientSecret,
		Endpoint:     oauth2.Endpoint{AuthURL: o.AuthURL, TokenURL: o.TokenURL},
		RedirectURL:  o.RedirectURL,
		Scopes:       []string{"openid", "profile"},
	}
}

// GET /oauth/login -> 302 to the provider, with state and a PKCE S256 challenge
func (a *App) handleOAuthLogin(w http.ResponseWriter, r *http.Request) {
	// TODO(oauth2): start a sign-in: a fresh random state and PKCE verifier, the verifier
	// remembered in a.pending under the state until oauthLoginTTL from a.cfg.Now(), the state
	// in an HttpOnly cookie oauthStateCookie (SameSite Lax, not Strict: the callback is a
	// cross-site navigation), then 302 to the provider's authorize URL with the state and the
	// S256 challenge.
	writeError(w, http.StatusNotImplemented, "sign in with a provider is not built yet")
}

// GET /oauth/callback?code=...&state=... -> 200 {"username": "oauth:<sub>", "role": "user"} + session cookie
func (a *App) handleOAuthCallback(w http.ResponseWriter, r *http.Request) {
	// TODO(oauth2):
	//  1. 400 unless the state query parameter equals the oauthStateCookie cookie and a
	//     pending login for it exists and has not expired; a state works once. Nothing
	//     reaches the provider before this check.
	//  2. 401 if the provider sent ?error=..., or trading the code (with the login's
	//     verifier) for a token fails.
	//  3. Ask a.cfg.OAuth.UserInfoURL, with that token, who signed in: {"sub": "..."}
	//     (401 on any failure or an empty sub).
	//  4. Find or create the user "oauth:"+sub (role user), start a session for it, and
	//     answer 200 {"username": ..., "role": ...}.
	writeError(w, http.StatusNotImplemented, "sign in with a provider is not built yet")
}
