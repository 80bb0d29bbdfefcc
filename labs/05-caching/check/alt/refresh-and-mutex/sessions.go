//go:build labcheck

package main

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"
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

// newSessionID returns 16 random bytes in hex (32 characters): 128 bits, unguessable.
func newSessionID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
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
	// A fresh id on every login: an id an attacker planted before login is worth nothing.
	id, err := newSessionID()
	if err != nil {
		writeError(w, http.StatusInternalServerError, "could not start a session")
		return
	}
	sess := session{Username: in.Username}
	data, err := json.Marshal(sess)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "could not start a session")
		return
	}
	if err := s.rdb.Set(r.Context(), sessionKey(id), data, sessionTTL).Err(); err != nil {
		log.Printf("login: set session: %v", err)
		writeError(w, http.StatusInternalServerError, "could not start a session")
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookie,
		Value:    id,
		Path:     "/",
		HttpOnly: true, // page scripts cannot read it (XSS cannot steal it)
		Secure:   true, // HTTPS only (browsers make an exception for http://localhost)
		SameSite: http.SameSiteLaxMode,
	})
	writeJSON(w, http.StatusOK, sess)
}

// handleLogout: POST /logout with the session cookie.
func (s *server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.rdb.Unlink(r.Context(), sessionKey(c.Value)).Err(); err != nil {
			log.Printf("logout: del session: %v", err)
			writeError(w, http.StatusInternalServerError, "could not end the session")
			return
		}
	}
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookie,
		Value:    "",
		Path:     "/",
		MaxAge:   -1, // sent as Max-Age=0: the browser drops it
		HttpOnly: true,
		Secure:   true,
		SameSite: http.SameSiteLaxMode,
	})
	w.WriteHeader(http.StatusNoContent)
}

// requireSession lets a request through only with a live session, which it puts in the
// request's context (withSession) for the handler.
func (s *server) requireSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil || c.Value == "" {
			writeError(w, http.StatusUnauthorized, "log in first")
			return
		}
		// GETEX reads the session and pushes its expiry back in one round trip: sliding
		// expiration, so only idle sessions time out.
		// GET and EXPIRE in one MULTI: one round trip, and the same effect as GETEX.
		var get *redis.StringCmd
		_, err = s.rdb.TxPipelined(r.Context(), func(p redis.Pipeliner) error {
			get = p.Get(r.Context(), sessionKey(c.Value))
			p.Expire(r.Context(), sessionKey(c.Value), sessionTTL)
			return nil
		})
		var data []byte
		if err == nil || errors.Is(err, redis.Nil) {
			data, err = get.Bytes()
		}
		switch {
		case errors.Is(err, redis.Nil):
			writeError(w, http.StatusUnauthorized, "session expired or unknown: log in again")
			return
		case err != nil:
			log.Printf("session: getex: %v", err)
			writeError(w, http.StatusInternalServerError, "could not read the session")
			return
		}
		var sess session
		if err := json.Unmarshal(data, &sess); err != nil {
			log.Printf("session: decode: %v", err)
			writeError(w, http.StatusInternalServerError, "could not read the session")
			return
		}
		next.ServeHTTP(w, r.WithContext(withSession(r.Context(), sess)))
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
