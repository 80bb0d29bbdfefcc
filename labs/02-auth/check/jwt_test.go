//go:build labcheck

package main

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// adaToken signs ada up, logs her in and checks the token works: the control every
// "rejected" test needs (an app that rejects every token would pass them all otherwise).
func adaToken(t *testing.T, app *App) string {
	t.Helper()
	signup(t, app, "ada", "correct horse battery")
	tok := login(t, app, "ada", "correct horse battery")
	r := do(t, app, "GET", "/me", nil, bearer(tok))
	wantCode(t, r, http.StatusOK, "a fresh token from POST /login must work: parse it in userFromBearer with jwt.ParseWithClaims")
	return tok
}

// sign makes a token the way an attacker (or a buggy issuer) could.
func sign(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatalf("sign test token: %v", err)
	}
	return s
}

func goodClaims() jwt.MapClaims {
	return jwt.MapClaims{
		"sub": "ada",
		"iss": testIssuer,
		"iat": testStart.Unix(),
		"exp": testStart.Add(testTTL).Unix(),
	}
}

// wantRejected fails unless GET /me with the token answers 401.
func wantRejected(t *testing.T, app *App, what, tok, hint string) {
	t.Helper()
	r := do(t, app, "GET", "/me", nil, bearer(tok))
	if r.code != http.StatusUnauthorized {
		t.Fatalf("%s\n%s: got %s, want 401\nhint: %s", what, r.req, r, hint)
	}
}

func TestLoginIssuesSignedJWT(t *testing.T) {
	app, _ := newTestApp(t)
	signup(t, app, "ada", "correct horse battery")
	r := do(t, app, "POST", "/login", creds{"ada", "correct horse battery"})
	wantCode(t, r, http.StatusOK, "")
	var tr struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
	}
	r.decode(t, &tr)
	if tr.TokenType != "Bearer" || tr.ExpiresIn != int(testTTL.Seconds()) {
		t.Fatalf(`%s with TokenTTL 10m: got %s, want token_type "Bearer" and expires_in 600`, r.req, r)
	}
	var claims jwt.RegisteredClaims
	tok, err := jwt.ParseWithClaims(tr.AccessToken, &claims,
		func(*jwt.Token) (any, error) { return []byte(testSecret), nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithoutClaimsValidation()) // claims are compared below
	if err != nil {
		t.Fatalf("%s: access_token %q does not verify as an HS256 JWT signed with cfg.JWTSecret: %v", r.req, short(tr.AccessToken), err)
	}
	if alg := tok.Header["alg"]; alg != "HS256" {
		t.Fatalf("token header alg: got %v, want HS256", alg)
	}
	want := map[string][2]any{
		"sub": {claims.Subject, "ada"},
		"iss": {claims.Issuer, testIssuer},
		"iat": {unix(claims.IssuedAt), testStart.Unix()},
		"exp": {unix(claims.ExpiresAt), testStart.Add(testTTL).Unix()},
	}
	for _, k := range []string{"sub", "iss", "iat", "exp"} {
		if got := want[k]; got[0] != got[1] {
			t.Errorf("token claim %s: got %v, want %v (the clock is cfg.Now, which reads %s; TokenTTL is 10m)", k, got[0], got[1], testStart.Format(time.RFC3339))
		}
	}
}

func unix(d *jwt.NumericDate) any {
	if d == nil {
		return "missing"
	}
	return d.Unix()
}

func TestMeRequiresBearerToken(t *testing.T) {
	app, _ := newTestApp(t)
	signup(t, app, "ada", "correct horse battery")
	tok := login(t, app, "ada", "correct horse battery")

	r := do(t, app, "GET", "/me", nil)
	wantCode(t, r, http.StatusUnauthorized, "")
	if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
		t.Fatalf("%s: got WWW-Authenticate %q, want one starting with Bearer (RFC 6750)", r.req, r.header.Get("WWW-Authenticate"))
	}
	r = do(t, app, "GET", "/me", nil, bearer(tok))
	wantCode(t, r, http.StatusOK, `read the token after "Bearer " and verify it (jwt.ParseWithClaims)`)
	var v struct{ Username, Role string }
	r.decode(t, &v)
	if v.Username != "ada" || v.Role != "user" {
		t.Fatalf(`%s: got %s, want {"username":"ada","role":"user"}`, r.req, r)
	}
	wantCode(t, do(t, app, "GET", "/me", nil, header("Authorization", tok)), http.StatusUnauthorized, `no "Bearer " scheme: not a bearer token`)
	wantCode(t, do(t, app, "GET", "/me", nil, header("Authorization", "Basic YWRhOmNvcnJlY3QgaG9yc2UgYmF0dGVyeQ==")), http.StatusUnauthorized, "")
}

func TestExpiredTokenRejected(t *testing.T) {
	app, clock := newTestApp(t)
	tok := adaToken(t, app)
	clock.Advance(testTTL - time.Second)
	r := do(t, app, "GET", "/me", nil, bearer(tok))
	wantCode(t, r, http.StatusOK, "one second before exp (TokenTTL 10m after login) the token is still good")
	clock.Advance(2 * time.Second)
	wantRejected(t, app, "one second after exp, by cfg.Now:", tok,
		"check exp against the app's clock: jwt.WithTimeFunc(a.cfg.Now)")
}

func TestTamperedTokenRejected(t *testing.T) {
	app, _ := newTestApp(t)
	signup(t, app, "root", "root password")
	tok := adaToken(t, app)

	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q: got %d dot-separated parts, want 3", short(tok), len(parts))
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	var claims map[string]any
	if err == nil {
		err = json.Unmarshal(payload, &claims)
	}
	if err != nil {
		t.Fatalf("token payload %q: not base64url JSON: %v", parts[1], err)
	}
	claims["sub"] = "root"
	edited, _ := json.Marshal(claims)
	forged := parts[0] + "." + base64.RawURLEncoding.EncodeToString(edited) + "." + parts[2]
	wantRejected(t, app, "ada's token with the payload edited to sub=root (an admin), signature unchanged:", forged,
		"verify the signature: jwt.ParseWithClaims with a key func returning cfg.JWTSecret")

	other := sign(t, jwt.SigningMethodHS256, []byte("some-other-secret"), goodClaims())
	wantRejected(t, app, "a token for ada signed with another secret:", other,
		"the key func must return cfg.JWTSecret")
}

func TestAlgNoneTokenRejected(t *testing.T) {
	app, _ := newTestApp(t)
	adaToken(t, app)
	none := sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, goodClaims())
	wantRejected(t, app, `a token for ada with header {"alg":"none"} and no signature:`, none,
		`accept only the algorithm you sign with: jwt.WithValidMethods([]string{"HS256"})`)
}

func TestTokenWithWrongClaimsRejected(t *testing.T) {
	app, _ := newTestApp(t)
	adaToken(t, app)
	key := []byte(testSecret)
	for _, c := range []struct {
		what, hint string
		edit       func(jwt.MapClaims)
	}{
		{`a token with "iss": "https://evil.example"`, "jwt.WithIssuer(a.cfg.Issuer)", func(c jwt.MapClaims) { c["iss"] = "https://evil.example" }},
		{"a token without iss", "jwt.WithIssuer(a.cfg.Issuer) also rejects a missing iss", func(c jwt.MapClaims) { delete(c, "iss") }},
		{"a token without exp (it would never expire)", "jwt.WithExpirationRequired()", func(c jwt.MapClaims) { delete(c, "exp") }},
		{`a token for "ghost", who is not a user`, "look the subject up in a.users and fail when it is not there", func(c jwt.MapClaims) { c["sub"] = "ghost" }},
	} {
		claims := goodClaims()
		c.edit(claims)
		wantRejected(t, app, c.what+", signed with the right secret:", sign(t, jwt.SigningMethodHS256, key, claims), c.hint)
	}
}
