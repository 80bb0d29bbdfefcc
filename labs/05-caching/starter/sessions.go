package main

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"time"
)

const (
	sessionCookie = "session"        // the cookie holding the session id
	sessionTTL    = 30 * time.Minute // idle timeout: every authenticated request restarts it
)

// sessionKey is the Redis key of a session: session:{id}.
func sessionKey(id string) string { return "session:" + id }

// session is what Redis stores under session:{id}, as JSON: {"username":"ada"}.
type session struct {
	Username string `json:"username"`
}

// users are the accounts of this lab. Lesson 02 covers storing passwords properly; here the
// point is what happens after a successful login.
var users = map[string]string{
	"ada":   "lovelace",
	"grace": "hopper",
}

func checkPassword(username, password string) bool {
	want, ok := users[username]
	return ok && subtle.ConstantTimeCompare([]byte(want), []byte(password)) == 1
}

// newSessionID returns 32 random bytes, base64url-encoded (43 characters): unguessable.
func newSessionID() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

type sessionCtxKey struct{}

func withSession(ctx context.Context, s session) context.Context {
	return context.WithValue(ctx, sessionCtxKey{}, s)
}

func sessionFrom(ctx context.Context) (session, bool) {
	s, ok := ctx.Value(sessionCtxKey{}).(session)
	return s, ok
}

// handleLogin: POST /login {"username":"ada","password":"lovelace"}.
func (s *server) handleLogin(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "body must be JSON like {\"username\":\"...\",\"password\":\"...\"}")
		return
	}
	if !checkPassword(in.Username, in.Password) {
		writeError(w, http.StatusUnauthorized, "wrong username or password")
		return
	}
	// TODO(sessions): start a new session for this user in Redis (sessionKey, sessionTTL) and
	// hand its id to the browser in the sessionCookie cookie, out of reach of scripts, plain
	// HTTP and other sites. Answer 200 {"username":"ada"}.
	writeError(w, http.StatusNotImplemented, "login is not implemented yet")
}

// handleLogout: POST /logout with the session cookie.
func (s *server) handleLogout(w http.ResponseWriter, r *http.Request) {
	// TODO(sessions): end the session everywhere at once, make the browser forget the
	// cookie, and answer 204 No Content.
	writeError(w, http.StatusNotImplemented, "logout is not implemented yet")
}

// requireSession lets a request through only with a live session, which it puts in the
// request's context (withSession) for the handler.
func (s *server) requireSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// TODO(sessions): find the session the cookie names and keep it alive for another
		// sessionTTL (only idle sessions expire). No cookie or no such session: 401.
		// Otherwise hand it to next through the request's context (withSession).
		writeError(w, http.StatusNotImplemented, "sessions are not implemented yet")
	})
}

// handleMe: GET /me answers {"username":"ada"} for the session's user.
func (s *server) handleMe(w http.ResponseWriter, r *http.Request) {
	sess, ok := sessionFrom(r.Context())
	if !ok {
		writeError(w, http.StatusUnauthorized, "log in first")
		return
	}
	writeJSON(w, http.StatusOK, sess)
}
