package main

import (
	"errors"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
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

var lastSessionID atomic.Int64

// newSessionID returns a new session id.
func newSessionID() string {
	// TODO(sessions): a counter is guessable: whoever sees id 41 tries 40. Return at least
	// 128 random bits from crypto/rand, as text.
	return strconv.FormatInt(lastSessionID.Add(1), 10)
}

// startSession creates a session for username and sets its cookie.
func (a *App) startSession(w http.ResponseWriter, username string) {
	id := newSessionID()
	a.sessions.Put(id, session{username: username, expires: a.cfg.Now().Add(a.cfg.SessionTTL)})
	// TODO(sessions): lock the cookie down: HttpOnly, Secure, SameSite (Lax or Strict), and
	// MaxAge matching a.cfg.SessionTTL.
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/"})
}

// userFromSession returns the user of the request's session cookie, if it is live.
func (a *App) userFromSession(r *http.Request) (User, error) {
	// TODO(sessions): return the user of the request's session, if the cookie names one in
	// a.sessions that has not expired by a.cfg.Now(); otherwise an error.
	return User{}, errNoSession
}

// POST /session/login {"username": ..., "password": ...} -> 200 {"username": ..., "role": ...} + session cookie
func (a *App) handleSessionLogin(w http.ResponseWriter, r *http.Request) {
	var c credentials
	if !decodeJSON(w, r, &c) {
		return
	}
	u, err := a.checkCredentials(c.Username, c.Password)
	if err != nil {
		writeError(w, http.StatusUnauthorized, "invalid username or password")
		return
	}
	// TODO(sessions): if the request already carries a session cookie, delete that session:
	// every login gets a fresh id (an id planted before login must be worth nothing).
	a.startSession(w, u.Username)
	writeJSON(w, http.StatusOK, viewOf(u))
}

// POST /session/logout -> 204
func (a *App) handleSessionLogout(w http.ResponseWriter, r *http.Request) {
	// TODO(sessions): delete the session from a.sessions too: clearing the cookie only asks the
	// browser to forget it, and a stolen copy would still work.
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}
