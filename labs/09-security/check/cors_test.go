//go:build labcheck

package main

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// labCORSGet is the single-page app's fetch("https://shop.example/api/me", {credentials: "include"}).
func labCORSGet(a *labApp, origin string) *labExchange {
	a.t.Helper()
	return a.send(labReq{method: http.MethodGet, url: labSite + "/api/me", noCookies: true,
		header: []string{"Origin", origin, "Sec-Fetch-Site", "same-site", "Sec-Fetch-Mode", "cors", "Sec-Fetch-Dest", "empty"}})
}

// labPreflight is what the browser sends before a PATCH with a JSON body.
func labPreflight(a *labApp, origin, method, headers string) *labExchange {
	a.t.Helper()
	return a.send(labReq{method: http.MethodOptions, url: labSite + "/api/me", noCookies: true,
		header: []string{"Origin", origin, "Access-Control-Request-Method", method, "Access-Control-Request-Headers", headers,
			"Sec-Fetch-Site", "same-site", "Sec-Fetch-Mode", "cors", "Sec-Fetch-Dest", "empty"}})
}

// wantVaryOrigin checks Vary lists Origin.
func (e *labExchange) wantVaryOrigin() {
	e.t.Helper()
	if !labHasToken(e.header, "Vary", "Origin") {
		e.fail("the response has no Vary: Origin",
			"the answer depends on the Origin header, so caches must keep one copy per Origin: w.Header().Add(\"Vary\", \"Origin\") on every response, allowed origin or not")
	}
}

// wantNoCORS checks that no CORS header lets the origin read the answer.
func (e *labExchange) wantNoCORS(origin string) {
	e.t.Helper()
	for _, name := range []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials"} {
		if v := e.header.Values(name); len(v) > 0 {
			e.fail(fmt.Sprintf("got %s: %s for Origin %s, which is not in Config.AllowedOrigins: want no such header", name, strings.Join(v, ", "), origin),
				"reflecting any Origin with credentials lets every website read your users' data with their cookies. "+
					"Compare the Origin header with the allowlist, exactly (scheme, host and port), and add no CORS header when it is not there")
		}
	}
}

func TestCORSAllowedOriginGetsCredentials(t *testing.T) {
	app := labNewApp(t)
	for _, origin := range []string{labSPA, labAdminSPA} {
		e := labCORSGet(app, origin)
		if got := e.header.Values("Access-Control-Allow-Origin"); !slices.Equal(got, []string{origin}) {
			e.fail(fmt.Sprintf("got Access-Control-Allow-Origin %q, want exactly %q, the Origin of the request (it is in Config.AllowedOrigins)", got, origin),
				`"*" does not work with credentials, and a list of origins is not valid in this header: answer with the one origin that asked`)
		}
		if got := e.header.Get("Access-Control-Allow-Credentials"); got != "true" {
			e.fail(fmt.Sprintf("got Access-Control-Allow-Credentials %q, want \"true\": the app sends the session cookie", got))
		}
		e.wantVaryOrigin()
	}
}

func TestCORSOtherOriginsGetNothing(t *testing.T) {
	app := labNewApp(t)
	for _, origin := range []string{
		labEvil,
		"https://app.shop.example.evil.example", // starts with an allowed origin
		"https://evil-app.shop.example",
		"http://app.shop.example",       // another scheme is another origin
		"https://app.shop.example:8443", // so is another port
		"null",                          // sandboxed iframes, file:// pages
	} {
		e := labCORSGet(app, origin)
		e.wantNoCORS(origin)
		e.wantVaryOrigin()
	}
}

func TestCORSPreflightAllowed(t *testing.T) {
	app := labNewApp(t)
	e := labPreflight(app, labSPA, "PATCH", "content-type")
	if e.status != http.StatusOK && e.status != http.StatusNoContent {
		e.fail(fmt.Sprintf("got status %d %s, want 204 No Content (or 200)", e.status, http.StatusText(e.status)),
			"a preflight never carries cookies: answer OPTIONS in the CORS middleware, before anything asks for a session")
	}
	if got := e.header.Get("Access-Control-Allow-Origin"); got != labSPA {
		e.fail(fmt.Sprintf("got Access-Control-Allow-Origin %q, want %q", got, labSPA))
	}
	if got := e.header.Get("Access-Control-Allow-Credentials"); got != "true" {
		e.fail(fmt.Sprintf("got Access-Control-Allow-Credentials %q, want \"true\"", got))
	}
	methods := labTokens(e.header, "Access-Control-Allow-Methods")
	if slices.Contains(methods, "*") || !slices.Contains(methods, "PATCH") {
		e.fail(fmt.Sprintf("got Access-Control-Allow-Methods %q, want a list that names PATCH, like \"GET, PATCH\"", methods),
			`with credentials, "*" in Access-Control-Allow-Methods and -Headers is not a wildcard: browsers read it as a method or header named "*"`)
	}
	if !labHasToken(e.header, "Access-Control-Allow-Headers", "Content-Type") || labHasToken(e.header, "Access-Control-Allow-Headers", "*") {
		e.fail(fmt.Sprintf("got Access-Control-Allow-Headers %q, want a list that names Content-Type", labTokens(e.header, "Access-Control-Allow-Headers")),
			`a JSON body needs Content-Type: application/json, which is not a "simple" header; name it, do not use "*"`)
	}
	e.wantVaryOrigin()
}

func TestCORSPreflightRefused(t *testing.T) {
	app := labNewApp(t)
	e := labPreflight(app, labEvil, "PATCH", "content-type")
	e.wantNoCORS(labEvil)
	if v := e.header.Get("Access-Control-Allow-Methods"); v != "" {
		e.fail(fmt.Sprintf("got Access-Control-Allow-Methods %q for a preflight from %s, want none", v, labEvil))
	}

	e = labPreflight(app, labSPA, "DELETE", "x-admin-override")
	if e.header.Get("Access-Control-Allow-Origin") == "" {
		return // refused outright: fine
	}
	if methods := labTokens(e.header, "Access-Control-Allow-Methods"); slices.Contains(methods, "DELETE") || slices.Contains(methods, "*") {
		e.fail(fmt.Sprintf("got Access-Control-Allow-Methods %q, want only the methods the API serves cross-origin (GET, PATCH): never echo Access-Control-Request-Method", methods))
	}
	if labHasToken(e.header, "Access-Control-Allow-Headers", "x-admin-override") || labHasToken(e.header, "Access-Control-Allow-Headers", "*") {
		e.fail(fmt.Sprintf("got Access-Control-Allow-Headers %q, want only the headers the API needs (Content-Type): never echo Access-Control-Request-Headers",
			labTokens(e.header, "Access-Control-Allow-Headers")))
	}
}

func TestCORSWildcardRefusedAtStartup(t *testing.T) {
	for _, origins := range [][]string{{"*"}, {labSPA, "*"}, {"null"}, {"app.shop.example"}, {"https://app.shop.example/api"}} {
		clock := &labClock{now: labStart}
		cfg, _ := labConfig(clock)
		cfg.AllowedOrigins = origins
		h, err := labCallNewApp(t, cfg)
		if err == nil {
			t.Fatalf("newApp(Config{AllowedOrigins: %q}) returned a handler (%T) and no error, want an error\n"+
				"hint: with cookies, \"*\" cannot work, and the usual workaround, echoing every Origin, opens the API to every website. "+
				"newCORS (cors.go) must refuse \"*\", \"null\" and anything that is not scheme://host[:port] (no path, nothing else) so that the mistake stops the app at startup", origins, h)
		}
	}
}
