package main

import (
	"errors"
)

var errNoToken = errors.New("no bearer token")

// issueToken signs an access token for u.
func (a *App) issueToken(u User) (string, error) {
	// TODO(jwt): build jwt.RegisteredClaims (github.com/golang-jwt/jwt/v5) with Subject
	// u.Username, Issuer a.cfg.Issuer, IssuedAt a.cfg.Now() and ExpiresAt now + a.cfg.TokenTTL,
	// and sign them with HS256 and a.cfg.JWTSecret.
	return "", nil
}

// userFromBearer checks an "Authorization: Bearer <token>" header and returns the token's user.
func (a *App) userFromBearer(header string) (User, error) {
	// TODO(jwt): cut "Bearer " off the header, parse and verify the token (signature, HS256
	// only, issuer a.cfg.Issuer, exp required and checked against a.cfg.Now), then return
	// a.users.Get(subject). Any failure is an error (the caller answers 401).
	return User{}, errNoToken
}
