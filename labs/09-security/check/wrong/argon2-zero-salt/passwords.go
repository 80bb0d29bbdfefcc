//go:build labcheck

package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
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

// hashPassword returns an argon2id hash of password in the PHC string format:
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>   (salt and hash in base64 without padding)
func hashPassword(password string, p Argon2Params) (string, error) {
	salt := make([]byte, p.SaltLen)
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// decodeArgon2id parses a PHC string. It refuses absurd parameters: a hash is data, and a
// tampered row asking for 4 GiB of memory must not take the server down.
func decodeArgon2id(hash string) (p Argon2Params, salt, key []byte, err error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, errors.New("not an argon2id PHC string")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, nil, nil, fmt.Errorf("unsupported argon2 version %q", parts[2])
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, fmt.Errorf("bad argon2id parameters %q: %w", parts[3], err)
	}
	if p.Time < 1 || p.Time > 16 || p.Threads < 1 || p.Memory < 8*uint32(p.Threads) || p.Memory > 1<<20 {
		return p, nil, nil, fmt.Errorf("argon2id parameters out of range: %q", parts[3])
	}
	b64 := base64.RawStdEncoding.Strict()
	if salt, err = b64.DecodeString(parts[4]); err != nil || len(salt) < 8 {
		return p, nil, nil, errors.New("bad argon2id salt")
	}
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) < 16 {
		return p, nil, nil, errors.New("bad argon2id hash")
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}

// verifyPassword reports whether password matches hash: argon2id (with the parameters the
// hash carries), or one of the legacy formats still in the users table. Comparisons take the
// same time wherever the first differing byte is.
func verifyPassword(hash, password string) (bool, error) {
	switch {
	case strings.HasPrefix(hash, "$argon2id$"):
		p, salt, key, err := decodeArgon2id(hash)
		if err != nil {
			return false, err
		}
		got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
		return subtle.ConstantTimeCompare(got, key) == 1, nil
	case strings.HasPrefix(hash, "$2a$"), strings.HasPrefix(hash, "$2b$"), strings.HasPrefix(hash, "$2y$"):
		err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(password))
		if errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
			return false, nil
		}
		return err == nil, err
	case isLegacySHA256(hash):
		sum := sha256.Sum256([]byte(password))
		got := hex.EncodeToString(sum[:])
		return subtle.ConstantTimeCompare([]byte(got), []byte(strings.ToLower(hash))) == 1, nil
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
	p, _, _, err := decodeArgon2id(hash)
	return err != nil || p != current
}

var errBadCredentials = errors.New("invalid username or password")

// checkCredentials returns the user when password is theirs. On success it upgrades the
// stored hash if it is a legacy one or has outdated parameters: the only moment we know the
// password is right after checking it.
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
	if needsRehash(u.PasswordHash, a.cfg.Argon2) {
		newHash, err := hashPassword(password, a.cfg.Argon2)
		if err == nil {
			err = a.users.ReplacePasswordHash(ctx, u.Username, u.PasswordHash, newHash)
		}
		if err != nil && !errors.Is(err, ErrHashChanged) {
			// The login itself succeeded: upgrade next time rather than lock the user out.
			log.Printf("re-hash password of %q: %v", username, err)
		}
	}
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
