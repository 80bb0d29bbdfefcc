//go:build labcheck

package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"sync"
	"time"
)

const sessionCookie = "session"

var errNoSession = errors.New("no valid session")

type session struct {
	username string
	expires  time.Time
}

// SessionStore maps session ids to sessions, in memory. Safe for concurrent use.
type SessionStore struct {
	mu       sync.Mutex
	sessions map[string]session
}

func newSessionStore() *SessionStore { return &SessionStore{sessions: map[string]session{}} }

func (s *SessionStore) Put(id string, sess session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessions[id] = sess
}

func (s *SessionStore) Get(id string) (session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessions[id]
	return sess, ok
}

func (s *SessionStore) Delete(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.sessions, id)
}

// newSessionID returns 130 random bits (26 base32 characters) from the OS's CSPRNG:
// unguessable, so the id alone can stand for the user.
func newSessionID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// startSession creates a session for username and sets its cookie.
func (a *App) startSession(w http.ResponseWriter, username string) {
	id := newSessionID()
	a.sessions.Put(id, session{username: username, expires: a.cfg.Now().Add(a.cfg.SessionTTL)})
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookie,
		Value:    id,
		Path:     "/",
		MaxAge:   int(a.cfg.SessionTTL.Seconds()),
		HttpOnly: true,                 // page scripts (and XSS) cannot read it
		Secure:   true,                 // only sent over HTTPS (browsers allow http://localhost)
		SameSite: http.SameSiteLaxMode, // not sent on cross-site POSTs: most CSRF is gone
	})
}

// userFromSession returns the user of the request's session cookie, if it is live.
func (a *App) userFromSession(r *http.Request) (User, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return User{}, errNoSession
	}
	sess, ok := a.sessions.Get(c.Value)
	if !ok {
		return User{}, errNoSession
	}
	if !a.cfg.Now().Before(sess.expires) {
		a.sessions.Delete(c.Value)
		return User{}, errNoSession
	}
	u, ok := a.users.Get(sess.username)
	if !ok {
		return User{}, errNoSession
	}
	return u, nil
}

// POST /session/login {"username": ..., "password": ...} -> 200 {"username": ..., "role": ...} + session cookie
func (a *App) handleSessionLogin(w http.ResponseWriter, r *http.Request) {
	var c credentials
	if !decodeJSON(w, r, &c) {
		return
	}
	u, err := a.checkCredentials(c.Username, c.Password)
	if err != nil {
		writeError(w, http.StatusUnauthorized, err.Error())
		return
	}
	// A fresh id at every login: an id planted before login (session fixation) is worth nothing.
	if old, err := r.Cookie(sessionCookie); err == nil {
		a.sessions.Delete(old.Value)
	}
	a.startSession(w, u.Username)
	writeJSON(w, http.StatusOK, viewOf(u))
}

// POST /session/logout -> 204; the session is gone from the server, not just from the browser.
func (a *App) handleSessionLogout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		a.sessions.Delete(c.Value)
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
	})
	w.WriteHeader(http.StatusNoContent)
}
