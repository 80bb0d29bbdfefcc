//go:build labcheck

package main

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/crypto/argon2"
)

type credentials struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"` // seconds
}

var usernameRe = regexp.MustCompile(`^[a-z0-9_.-]{3,32}$`)

var errBadCredentials = errors.New("invalid username or password")

// POST /signup {"username": "ada", "password": "..."} -> 201 {"username": "ada", "role": "user"}
func (a *App) handleSignup(w http.ResponseWriter, r *http.Request) {
	var c credentials
	if !decodeJSON(w, r, &c) {
		return
	}
	if !usernameRe.MatchString(c.Username) {
		writeError(w, http.StatusBadRequest, "username must be 3 to 32 characters of a-z, 0-9, '.', '_', '-'")
		return
	}
	// bcrypt only reads the first 72 bytes; refusing longer ones beats silently ignoring the rest.
	if n := len(c.Password); n < 8 || n > 72 {
		writeError(w, http.StatusBadRequest, "password must be 8 to 72 bytes long")
		return
	}
	hash, err := hashPassword(c.Password, a.cfg.PasswordCost)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "could not store password")
		return
	}
	role := roleUser
	if slices.Contains(a.cfg.Admins, c.Username) {
		role = roleAdmin
	}
	u := User{Username: c.Username, PasswordHash: hash, Role: role}
	if err := a.users.Add(u); errors.Is(err, errUserExists) {
		writeError(w, http.StatusConflict, "username taken")
		return
	}
	writeJSON(w, http.StatusCreated, viewOf(u))
}

// POST /login {"username": "ada", "password": "..."} -> 200 {"access_token": ..., "token_type": "Bearer", "expires_in": 900}
func (a *App) handleLogin(w http.ResponseWriter, r *http.Request) {
	var c credentials
	if !decodeJSON(w, r, &c) {
		return
	}
	u, err := a.checkCredentials(c.Username, c.Password)
	if err != nil {
		writeError(w, http.StatusUnauthorized, err.Error())
		return
	}
	tok, err := a.issueToken(u)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "could not issue token")
		return
	}
	writeJSON(w, http.StatusOK, tokenResponse{AccessToken: tok, TokenType: "Bearer", ExpiresIn: int(a.cfg.TokenTTL.Seconds())})
}

// checkCredentials returns the user when the password is theirs. Every failure is the same
// errBadCredentials, so a caller cannot tell "no such user" from "wrong password".
func (a *App) checkCredentials(username, password string) (User, error) {
	u, ok := a.users.Get(username)
	if !ok {
		// Do the same slow work as for a real user, so the response time does not tell either.
		_, _ = hashPassword(password, a.cfg.PasswordCost)
		return User{}, errBadCredentials
	}
	if !checkPassword(u.PasswordHash, password) {
		return User{}, errBadCredentials
	}
	return u, nil
}

// argon2id parameters (RFC 9106's second recommendation, with less memory for a lab). The cost
// argument maps onto the number of passes, so a test that raises PasswordCost raises the work.
const (
	argonMemory  = 19 * 1024 // KiB
	argonThreads = 1
	argonKeyLen  = 32
)

func argonPasses(cost int) uint32 { return uint32(max(1, cost-3)) }

// hashPassword returns an argon2id hash in the standard encoding, so the parameters travel
// with it: $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>.
func hashPassword(password string, cost int) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	t := argonPasses(cost)
	sum := argon2.IDKey([]byte(password), salt, t, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, t, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(sum)), nil
}

// checkPassword recomputes the hash with the stored salt and parameters.
func checkPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}
