//go:build labcheck

package main

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"testing"
)

var (
	labInputRe = regexp.MustCompile(`<input[^>]*name="csrf_token"[^>]*>`)
	labValueRe = regexp.MustCompile(`value="([^"]*)"`)
)

// labFormToken loads the account page the way the browser does when the user opens it, and
// returns the value of its hidden csrf_token field ("" when there is none: the solution that
// relies on Fetch metadata needs no token).
func labFormToken(a *labApp) string {
	a.t.Helper()
	e := a.send(labReq{method: http.MethodGet, url: labSite + "/account",
		header: []string{"Sec-Fetch-Site", "none", "Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "document"}})
	e.wantStatus(http.StatusOK, "the account page needs the session cookie from the login")
	input := labInputRe.Find(e.body)
	if input == nil {
		e.fail(`the account page has no <input name="csrf_token" ...> any more`, "keep the form of account.go")
	}
	if m := labValueRe.FindSubmatch(input); m != nil {
		return html.UnescapeString(string(m[1]))
	}
	return ""
}

// labPostEmail submits the email form. token "" sends no csrf_token field at all (an attacker
// does not know it). header holds the browser's headers.
func labPostEmail(a *labApp, email, token string, header ...string) *labExchange {
	a.t.Helper()
	form := url.Values{"email": {email}}
	if token != "" {
		form.Set("csrf_token", token)
	}
	return a.send(labReq{method: http.MethodPost, url: labSite + "/account/email", body: form.Encode(),
		header: append([]string{"Content-Type", "application/x-www-form-urlencoded"}, header...)})
}

// labRefused checks that a forged form post was refused with 403 and changed nothing.
func labRefused(a *labApp, e *labExchange, who string) {
	a.t.Helper()
	if got := a.users.email("ada"); got != "ada@shop.example" {
		e.fail(fmt.Sprintf("a form posted from %s changed ada's email to %q: got status %d, want 403 Forbidden and the email unchanged",
			who, got, e.status),
			"csrfProtect (csrf.go) must refuse it: http.NewCrossOriginProtection().Handler(next) reads Sec-Fetch-Site and Origin "+
				"the way a browser sends them; a per-session token in the form works too")
	}
	if e.status != http.StatusForbidden {
		e.fail(fmt.Sprintf("a form posted from %s: got status %d %s, want 403 Forbidden", who, e.status, http.StatusText(e.status)))
	}
}

// labSameOriginWorks checks that the shop's own form still works: the protection must not
// lock out the user.
func labSameOriginWorks(a *labApp, token string, header ...string) {
	a.t.Helper()
	e := labPostEmail(a, "ada.new@shop.example", token, header...)
	if e.status != http.StatusSeeOther {
		e.fail(fmt.Sprintf("the shop's own form, posted from its own page: got status %d %s, want 303 See Other (to /account)", e.status, http.StatusText(e.status)),
			"same-origin requests must go through. With a token, the tests send the csrf_token value they found in the form of GET /account")
	}
	if got := a.users.email("ada"); got != "ada.new@shop.example" {
		e.fail(fmt.Sprintf("after the shop's own form post ada's email is %q, want ada.new@shop.example", got))
	}
}

func TestSessionCookieIsSameSite(t *testing.T) {
	app := labNewApp(t)
	e := app.login("ada", labPassword, "", "Origin", labSite, "Sec-Fetch-Site", "same-origin")
	e.wantStatus(http.StatusOK)
	c := e.cookie("session")
	if c == nil {
		e.fail("the login set no cookie named \"session\"")
	}
	if c.SameSite != http.SameSiteLaxMode && c.SameSite != http.SameSiteStrictMode {
		e.fail(fmt.Sprintf("the session cookie has no SameSite=Lax or SameSite=Strict (Set-Cookie: %s)", c.String()),
			"startSession (sessions.go): SameSite: http.SameSiteLaxMode keeps the cookie out of cross-site POSTs. "+
				"Do not count on the browser's default: not every browser treats a cookie without SameSite as Lax")
	}
	if !c.HttpOnly || !c.Secure {
		e.fail(fmt.Sprintf("the session cookie must keep HttpOnly and Secure (Set-Cookie: %s)", c.String()))
	}
}

func TestCSRFCrossSiteFormPostRefused(t *testing.T) {
	app := labNewApp(t)
	app.mustLogin("ada")
	token := labFormToken(app)
	// evil.example shows a page with a hidden form that posts to the shop; the browser sends
	// ada's cookie along (old browsers, or a cookie without SameSite).
	e := labPostEmail(app, "attacker@evil.example", "",
		"Origin", labEvil, "Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "document")
	labRefused(app, e, labEvil)
	labSameOriginWorks(app, token,
		"Origin", labSite, "Sec-Fetch-Site", "same-origin", "Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "document")
}

func TestCSRFSameSiteSubdomainRefused(t *testing.T) {
	app := labNewApp(t)
	app.mustLogin("ada")
	token := labFormToken(app)
	// A blog on a sibling subdomain is the same *site* (shop.example) but not the same *origin*.
	e := labPostEmail(app, "attacker@evil.example", "",
		"Origin", "https://blog.shop.example", "Sec-Fetch-Site", "same-site", "Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "document")
	labRefused(app, e, "https://blog.shop.example (same site, another origin)")
	labSameOriginWorks(app, token,
		"Origin", labSite, "Sec-Fetch-Site", "same-origin", "Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "document")
}

func TestCSRFOriginCheckedWithoutFetchMetadata(t *testing.T) {
	app := labNewApp(t)
	app.mustLogin("ada")
	token := labFormToken(app)
	// Browsers from before 2023 send Origin but no Sec-Fetch-Site.
	for _, origin := range []string{labEvil, "null", "https://shop.example.evil.example"} {
		e := labPostEmail(app, "attacker@evil.example", "", "Origin", origin)
		labRefused(app, e, fmt.Sprintf("Origin %s (an older browser: no Sec-Fetch-Site)", origin))
	}
	labSameOriginWorks(app, token, "Origin", labSite)
}
