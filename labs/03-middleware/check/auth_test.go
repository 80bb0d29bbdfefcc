//go:build labcheck

package main

import (
	"net/http"
	"strings"
	"testing"
)

func TestAuthRejectsMissingCredentials(t *testing.T) {
	app, _ := testApp(t)
	cases := []struct {
		method, target, body string
		headers              []string
	}{
		{"GET", "/api/v1/me", "", nil},
		{"GET", "/api/v1/me", "", []string{"Authorization: Basic YWxpY2U6c2VjcmV0"}},
		{"GET", "/api/v1/me", "", []string{"Authorization: Bearer"}},
		{"POST", "/api/v1/notes", `{"title":"t","body":"b"}`, []string{"Content-Type: application/json"}},
	}
	for _, c := range cases {
		req := request(c.method, c.target, bodyReader(c.body), c.headers...)
		what := describe(req, c.body, c.headers...)
		rec := mustServe(t, app, req, what)
		if rec.Code != http.StatusUnauthorized {
			t.Errorf("%s: got status %d, want 401 (no bearer credentials)", what, rec.Code)
			continue
		}
		if got := rec.Result().Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
			t.Errorf("%s: got WWW-Authenticate %q, want a Bearer challenge such as `Bearer realm=\"notes\"` (a 401 must say how to authenticate)", what, got)
		} else if strings.Contains(got, "invalid_token") {
			t.Errorf("%s: got WWW-Authenticate %q, want the plain challenge `Bearer realm=\"notes\"`: no bearer token is not an invalid one (RFC 6750 §3.1: a request without credentials gets no error code)", what, got)
		}
		checkJSONError(t, what, rec)
	}
}

func TestAuthRejectsInvalidToken(t *testing.T) {
	app, _ := testApp(t)
	for _, auth := range []string{"Authorization: Bearer not-a-token", "Authorization: Bearer " + aliceToken + "x", "Authorization: Bearer alice"} {
		req := request("GET", "/api/v1/me", nil, auth)
		what := describe(req, "", auth)
		rec := mustServe(t, app, req, what)
		if rec.Code != http.StatusUnauthorized {
			t.Errorf("%s: got status %d, want 401", what, rec.Code)
			continue
		}
		if got := rec.Result().Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") || !strings.Contains(got, `error="invalid_token"`) {
			t.Errorf("%s: got WWW-Authenticate %q, want `Bearer realm=\"notes\", error=\"invalid_token\"` (RFC 6750: tell the client its token is the problem)", what, got)
		}
		checkJSONError(t, what, rec)
	}
}

func TestAuthAcceptsValidToken(t *testing.T) {
	app, _ := testApp(t)
	cases := []struct{ auth, user string }{
		{"Authorization: Bearer " + aliceToken, "alice"},
		{"Authorization: bearer " + bobToken, "bob"}, // the scheme is case-insensitive (RFC 9110)
	}
	for _, c := range cases {
		req := request("GET", "/api/v1/me", nil, c.auth)
		what := describe(req, "", c.auth)
		rec := mustServe(t, app, req, what)
		m, err := jsonObject(rec)
		if rec.Code != http.StatusOK || err != nil || m["user"] != c.user {
			hint := ""
			if rec.Code == http.StatusUnauthorized && strings.Contains(c.auth, "bearer") {
				hint = "\nhint: compare the scheme with strings.EqualFold: \"bearer\" is as valid as \"Bearer\""
			} else if rec.Code == http.StatusOK && m != nil && m["user"] == "" {
				hint = "\nhint: put the user in the context for the handler: next.ServeHTTP(w, r.WithContext(withUser(r.Context(), user)))"
			}
			t.Errorf("%s: got %d %s, want 200 {\"user\":%q}%s", what, rec.Code, clip(rec.Body.String(), 200), c.user, hint)
		}
	}
}

func TestAuthPublicRoutesPass(t *testing.T) {
	app, _ := testApp(t)
	for _, headers := range [][]string{nil, {"Authorization: Bearer not-a-token"}} {
		req := request("GET", "/healthz", nil, headers...)
		what := describe(req, "", headers...)
		rec := mustServe(t, app, req, what)
		if rec.Code != http.StatusOK {
			t.Errorf("%s: got status %d, want 200 (a public route ignores credentials)", what, rec.Code)
		}
	}
	req := request("GET", "/api/v1/me", nil)
	what := describe(req, "")
	if rec := mustServe(t, app, req, what); rec.Code != http.StatusUnauthorized {
		t.Errorf("%s: got status %d, want 401: public routes pass, protected ones do not", what, rec.Code)
	}
}
