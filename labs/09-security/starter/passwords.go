package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log"
	"net/http"
	"strings"
	"sync"

	"golang.org/x/crypto/bcrypt"
)

// Argon2Params are the knobs of argon2id. They are stored in every hash, so they can change
// over the years without breaking the hashes made before.
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over the memory
	Threads uint8  // lanes
	SaltLen uint32 // bytes of random salt
	KeyLen  uint32 // bytes of hash
}

// DefaultArgon2 follows OWASP's minimum for argon2id: 19 MiB, 2 passes, 1 lane.
var DefaultArgon2 = Argon2Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// hashPassword returns the hash to store for password.
func hashPassword(password string, p Argon2Params) (string, error) {
	// TODO(password-storage): new hashes are argon2id (golang.org/x/crypto/argon2) with the
	// parameters p and a random salt, in the PHC string format:
	//   $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>   (base64 without padding)
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost) // since 2019
	return string(h), err
}

// verifyPassword reports whether password matches hash.
func verifyPassword(hash, password string) (bool, error) {
	// TODO(password-storage): accept argon2id PHC strings, with the parameters they carry,
	// and compare in constant time, the legacy SHA-256 hashes included.
	switch {
	case strings.HasPrefix(hash, "$2a$"), strings.HasPrefix(hash, "$2b$"), strings.HasPrefix(hash, "$2y$"):
		err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(password))
		if errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
			return false, nil
		}
		return err == nil, err
	case isLegacySHA256(hash):
		sum := sha256.Sum256([]byte(password))
		return hex.EncodeToString(sum[:]) == strings.ToLower(hash), nil
	}
	return false, errors.New("unknown password hash format")
}

// isLegacySHA256 recognises the hashes of 2014: hex(sha256(password)), no salt.
func isLegacySHA256(hash string) bool {
	if len(hash) != 64 {
		return false
	}
	_, err := hex.DecodeString(hash)
	return err == nil
}

// needsRehash reports whether a hash that just verified should be replaced by a fresh
// argon2id hash with the current parameters.
func needsRehash(hash string, current Argon2Params) bool {
	// TODO(password-storage): true for every legacy hash, and for argon2id hashes whose
	// parameters (m, t, p, salt and key length) differ from current.
	return false
}

var errBadCredentials = errors.New("invalid username or password")

// checkCredentials returns the user when password is theirs.
func (a *App) checkCredentials(ctx context.Context, username, password string) (User, error) {
	u, err := a.users.GetUser(ctx, username)
	if errors.Is(err, ErrNoUser) {
		verifyPassword(a.dummyHash(), password) // as slow as a real check: no user enumeration by timing
		return User{}, errBadCredentials
	}
	if err != nil {
		return User{}, err
	}
	ok, err := verifyPassword(u.PasswordHash, password)
	if err != nil {
		log.Printf("login %q: %v", username, err)
		return User{}, errBadCredentials
	}
	if !ok {
		return User{}, errBadCredentials
	}
	// TODO(password-storage): the password is right, and this is the only moment we know it:
	// when needsRehash says so, store a fresh hash with a.users.ReplacePasswordHash.
	return u, nil
}

// lazyHash is made once, the first time it is needed.
type lazyHash struct {
	once sync.Once
	hash string
}

// dummyHash is a hash with the current parameters that no password matches.
func (a *App) dummyHash() string {
	a.dummy.once.Do(func() { a.dummy.hash, _ = hashPassword(rand.Text(), a.cfg.Argon2) })
	return a.dummy.hash
}

type credentials struct {
	Username string `json:"username"`
	Password string `json:"password"`
	Email    string `json:"email,omitempty"`
}

// handleSignup answers POST /signup {"username","password","email"}: 201 {"username"}.
func (a *App) handleSignup(w http.ResponseWriter, r *http.Request) {
	var c credentials
	if !readJSON(w, r, &c) {
		return
	}
	if c.Username == "" || len(c.Password) < 8 || len(c.Password) > 1024 {
		writeError(w, http.StatusBadRequest, "a username and a password of 8 to 1024 bytes are required")
		return
	}
	hash, err := hashPassword(c.Password, a.cfg.Argon2)
	if err != nil {
		internalError(w, r, err)
		return
	}
	err = a.users.CreateUser(r.Context(), User{Username: c.Username, Email: c.Email, PasswordHash: hash})
	if errors.Is(err, ErrUserExists) {
		writeError(w, http.StatusConflict, "username taken")
		return
	}
	if err != nil {
		internalError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"username": c.Username})
}

// handleLogin answers POST /login {"username","password"}: 200 {"username"} and a session
// cookie, 401 for wrong credentials, 429 when there were too many failures (bruteforce.go).
func (a *App) handleLogin(w http.ResponseWriter, r *http.Request) {
	var c credentials
	if !readJSON(w, r, &c) {
		return
	}
	ip, now := a.clientIP(r), a.cfg.Now()
	if wait, ok := a.limiter.allow(c.Username, ip, now); !ok {
		tooManyAttempts(w, wait)
		return
	}
	u, err := a.checkCredentials(r.Context(), c.Username, c.Password)
	if err != nil {
		a.limiter.failed(c.Username, ip, now) // an error is not a way around the limit
		if errors.Is(err, errBadCredentials) {
			writeError(w, http.StatusUnauthorized, "invalid username or password")
			return
		}
		internalError(w, r, err)
		return
	}
	a.limiter.succeeded(c.Username, ip)
	a.startSession(w, u.Username)
	writeJSON(w, http.StatusOK, map[string]string{"username": u.Username})
}
