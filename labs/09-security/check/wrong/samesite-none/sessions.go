//go:build labcheck

package main

import (
	"crypto/rand"
	"net/http"
	"sync"
	"time"
)

const (
	sessionCookie = "session"
	sessionTTL    = 12 * time.Hour
)

type session struct {
	username string
	expires  time.Time
}

// SessionStore keeps cookie sessions in memory: a restart signs everybody out.
type SessionStore struct {
	mu       sync.Mutex
	sessions map[string]session
}

func newSessionStore() *SessionStore {
	return &SessionStore{sessions: make(map[string]session)}
}

// startSession signs username in: a new random session id, in a cookie.
func (a *App) startSession(w http.ResponseWriter, username string) {
	id := rand.Text() // 26 characters, 130 random bits
	expires := a.cfg.Now().Add(sessionTTL)
	a.sessions.mu.Lock()
	a.sessions.sessions[id] = session{username: username, expires: expires}
	a.sessions.mu.Unlock()
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookie,
		Value:    id,
		Path:     "/",
		MaxAge:   int(sessionTTL.Seconds()),
		HttpOnly: true, // no JavaScript access: an XSS cannot steal it
		Secure:   true, // never sent over plain HTTP
		// Lax: the browser leaves the cookie out of cross-site POSTs (and of cross-site
		// subrequests), but still sends it when someone follows a link to the shop.
		SameSite: http.SameSiteNoneMode,
	})
}

// sessionUser returns the username of the request's session.
func (a *App) sessionUser(r *http.Request) (string, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return "", false
	}
	a.sessions.mu.Lock()
	defer a.sessions.mu.Unlock()
	s, ok := a.sessions.sessions[c.Value]
	if !ok || !a.cfg.Now().Before(s.expires) {
		return "", false
	}
	return s.username, true
}

// requireUser runs next with the signed-in user, or answers 401.
func (a *App) requireUser(next func(http.ResponseWriter, *http.Request, User)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name, ok := a.sessionUser(r)
		if !ok {
			writeError(w, http.StatusUnauthorized, "sign in first")
			return
		}
		u, err := a.users.GetUser(r.Context(), name)
		if err != nil {
			writeError(w, http.StatusUnauthorized, "sign in first")
			return
		}
		next(w, r, u)
	}
}
