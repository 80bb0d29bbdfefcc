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
type accessClaims struct {
	jwt.RegisteredClaims
}

// bearerParser checks the signature and the algorithm only; the claims are checked below,
// against the app's clock.
var bearerParser = jwt.NewParser(
	jwt.WithValidMethods([]string{"HS256"}),
	jwt.WithoutClaimsValidation(),
)

func (a *App) userFromBearer(header string) (User, error) {
	raw, ok := strings.CutPrefix(header, "Bearer ")
	if !ok || strings.TrimSpace(raw) == "" {
		return User{}, errNoToken
	}
	var c accessClaims
	tok, err := bearerParser.ParseWithClaims(raw, &c, func(t *jwt.Token) (any, error) {
		if _, ok := t.Method.(*jwt.SigningMethodHMAC); !ok {
			return nil, errors.New("unexpected signing method")
		}
		return a.cfg.JWTSecret, nil
	})
	if err != nil || !tok.Valid {
		return User{}, errors.New("invalid token")
	}
	now := a.cfg.Now()
	if c.ExpiresAt == nil || !now.Before(c.ExpiresAt.Time) {
		return User{}, errors.New("token expired")
	}
	if c.Issuer != a.cfg.Issuer {
		return User{}, errors.New("token from another issuer")
	}
	u, ok := a.users.Get(c.Subject)
	if !ok {
		return User{}, errors.New("no such user")
	}
	return u, nil
}
