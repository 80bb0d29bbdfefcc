//go:build labcheck

package main

import (
	"errors"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

var errNoToken = errors.New("no bearer token")

// issueToken signs an access token for u: HS256 with cfg.JWTSecret, claims sub, iss, iat, exp.
func (a *App) issueToken(u User) (string, error) {
	now := a.cfg.Now()
	claims := jwt.RegisteredClaims{
		Subject:   u.Username,
		Issuer:    a.cfg.Issuer,
		IssuedAt:  jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(a.cfg.TokenTTL)),
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(a.cfg.JWTSecret)
}

// userFromBearer checks "Authorization: Bearer <token>" and returns the token's user.
func (a *App) userFromBearer(header string) (User, error) {
	scheme, raw, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || raw == "" {
		return User{}, errNoToken
	}
	var claims jwt.RegisteredClaims
	_, err := jwt.ParseWithClaims(raw, &claims,
		func(*jwt.Token) (any, error) { return a.cfg.JWTSecret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), // never "none", never what the token picks
		jwt.WithIssuer(a.cfg.Issuer),
		jwt.WithExpirationRequired(), // a token without exp would never expire
		jwt.WithTimeFunc(a.cfg.Now),
	)
	if err != nil {
		return User{}, err
	}
	return User{Username: claims.Subject, Role: roleUser}, nil
}
