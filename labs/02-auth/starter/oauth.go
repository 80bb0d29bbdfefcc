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
	// TODO(oauth2): make a random state (crypto/rand.Text()) and a PKCE verifier
	// (oauth2.GenerateVerifier()); remember them in a.pending with an expiry of
	// a.cfg.Now()+oauthLoginTTL; set an HttpOnly cookie oauthStateCookie holding the state
	// (SameSite Lax, not Strict: the callback is a cross-site navigation); then redirect (302)
	// to a.oauthConfig().AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)).
	writeError(w, http.StatusNotImplemented, "sign in with a provider is not built yet")
}

// GET /oauth/callback?code=...&state=... -> 200 {"username": "oauth:<sub>", "role": "user"} + session cookie
func (a *App) handleOAuthCallback(w http.ResponseWriter, r *http.Request) {
	// TODO(oauth2):
	//  1. 400 unless the state query parameter equals the oauthStateCookie cookie and
	//     a.pending.Take(state) finds a login that has not expired.
	//  2. 401 if the provider sent ?error=..., or the exchange fails:
	//     a.oauthConfig().Exchange(r.Context(), code, oauth2.VerifierOption(verifier)).
	//  3. GET a.cfg.OAuth.UserInfoURL with conf.Client(ctx, token); read {"sub": "..."}
	//     (401 on any failure or an empty sub).
	//  4. Find or create the user "oauth:"+sub (role user), a.startSession(w, username), and
	//     answer 200 {"username": ..., "role": ...}.
	writeError(w, http.StatusNotImplemented, "sign in with a provider is not built yet")
}
