//go:build labcheck

package main

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
	verifier string // the PKCE code_verifier; only its S256 hash went to the provider
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
	if a.cfg.OAuth.AuthURL == "" {
		writeError(w, http.StatusServiceUnavailable, "no OAuth2 provider configured (set OAUTH_AUTH_URL and friends)")
		return
	}
	state := rand.Text()
	verifier := oauth2.GenerateVerifier()
	a.pending.Put(state, pendingLogin{verifier: verifier, expires: a.cfg.Now().Add(oauthLoginTTL)})
	// The cookie ties the state to this browser: a callback from another browser (an attacker
	// who wants you signed in as them) does not carry it. SameSite=Lax, not Strict, because the
	// callback is a cross-site navigation from the provider.
	http.SetCookie(w, &http.Cookie{
		Name: oauthStateCookie, Value: state, Path: "/oauth", MaxAge: int(oauthLoginTTL.Seconds()),
		Secure: true, SameSite: http.SameSiteLaxMode,
	})
	http.Redirect(w, r, a.oauthConfig().AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)), http.StatusFound)
}

// GET /oauth/callback?code=...&state=... -> 200 {"username": "oauth:<sub>", "role": "user"} + session cookie
func (a *App) handleOAuthCallback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	state := q.Get("state")
	c, err := r.Cookie(oauthStateCookie)
	if err != nil || state == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(state)) != 1 {
		writeError(w, http.StatusBadRequest, "invalid oauth state")
		return
	}
	pl, ok := a.pending.Take(state)
	if !ok || !a.cfg.Now().Before(pl.expires) {
		writeError(w, http.StatusBadRequest, "invalid oauth state")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: oauthStateCookie, Value: "", Path: "/oauth", MaxAge: -1, HttpOnly: true, Secure: true})

	sub, err := a.oauthSubject(r.Context(), q.Get("error"), q.Get("code"), pl.verifier)
	if err != nil {
		writeError(w, http.StatusUnauthorized, "oauth sign-in failed")
		return
	}
	// Key the account on the provider's stable subject id, never on an email address.
	username := "oauth:" + sub
	if err := a.users.Add(User{Username: username, Role: roleUser}); err != nil && !errors.Is(err, errUserExists) {
		writeError(w, http.StatusInternalServerError, "could not create user")
		return
	}
	u, _ := a.users.Get(username)
	a.startSession(w, u.Username)
	writeJSON(w, http.StatusOK, viewOf(u))
}

// oauthSubject trades the code (with the PKCE verifier) for an access token and asks the
// provider's userinfo endpoint who signed in.
func (a *App) oauthSubject(ctx context.Context, providerErr, code, verifier string) (string, error) {
	if providerErr != "" {
		return "", fmt.Errorf("provider said %s", providerErr)
	}
	if code == "" {
		return "", errors.New("no code")
	}
	conf := a.oauthConfig()
	tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return "", fmt.Errorf("exchange code: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.cfg.OAuth.UserInfoURL, nil)
	if err != nil {
		return "", err
	}
	resp, err := conf.Client(ctx, tok).Do(req)
	if err != nil {
		return "", fmt.Errorf("userinfo: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("userinfo: %s", resp.Status)
	}
	var info struct {
		Sub string `json:"sub"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&info); err != nil {
		return "", fmt.Errorf("userinfo: %w", err)
	}
	if info.Sub == "" {
		return "", errors.New("userinfo: no sub")
	}
	return info.Sub, nil
}
