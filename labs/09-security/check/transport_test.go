//go:build labcheck

package main

import (
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"testing"
)

// wantRedirectToHTTPS checks a 301 or 308 to the same URL with https.
func (e *labExchange) wantRedirectToHTTPS(want string) {
	e.t.Helper()
	if e.status != http.StatusMovedPermanently && e.status != http.StatusPermanentRedirect {
		e.fail(fmt.Sprintf("got status %d %s, want 308 Permanent Redirect (or 301) to %s", e.status, http.StatusText(e.status), want),
			"transport (transport.go): when !a.isHTTPS(r), http.Redirect(w, r, \"https://\"+r.Host+r.URL.RequestURI(), http.StatusPermanentRedirect)")
	}
	if got := e.header.Get("Location"); got != want {
		e.fail(fmt.Sprintf("got Location %q, want %q: same host, path and query, with https", got, want))
	}
}

func TestHTTPRedirectsToHTTPS(t *testing.T) {
	app := labNewApp(t)
	for _, target := range []string{"/account?tab=email", "/api/products?q=go&sort=price", "/"} {
		e := app.send(labReq{method: http.MethodGet, url: "http://" + labHost + target})
		e.wantRedirectToHTTPS(labSite + target)
		if v := e.header.Get("Strict-Transport-Security"); v != "" {
			e.errorf(fmt.Sprintf("got Strict-Transport-Security %q over plain HTTP, want none: browsers ignore it there, and an attacker in the middle could strip or forge it", v))
		}
	}
	e := app.login("ada", labPassword, "")
	e.wantStatus(http.StatusOK) // over HTTPS: fine
	app.cookies = map[string]string{}
	e = app.send(labReq{method: http.MethodPost, url: "http://" + labHost + "/login", header: []string{"Content-Type", "application/json"},
		body: `{"username":"ada","password":"` + labPassword + `"}`})
	if e.status/100 == 2 || e.cookie("session") != nil {
		e.fail(fmt.Sprintf("a login over plain HTTP got status %d and signed ada in, want it refused (400) or redirected (308)", e.status),
			"the redirect must come before any handler runs: transport is the outermost middleware")
	}
}

func TestHSTSOverHTTPS(t *testing.T) {
	app := labNewApp(t)
	for _, path := range []string{"/api/me", "/no-such-page"} {
		e := app.send(labReq{method: http.MethodGet, url: labSite + path})
		v := e.header.Get("Strict-Transport-Security")
		maxAge := -1
		for _, part := range strings.Split(v, ";") {
			name, val, _ := strings.Cut(strings.TrimSpace(part), "=")
			if strings.EqualFold(name, "max-age") {
				maxAge, _ = strconv.Atoi(strings.Trim(val, `"`))
			}
		}
		if maxAge < 31536000 {
			e.fail(fmt.Sprintf("got Strict-Transport-Security %q, want max-age of at least one year (31536000 seconds)", v),
				"over HTTPS, set Strict-Transport-Security: max-age=63072000; includeSubDomains on every response, errors included")
		}
	}
}

func TestForwardedProtoOnlyFromTrustedProxy(t *testing.T) {
	app := labNewApp(t, func(c *Config) { c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")} })
	// TLS ends at our proxy, 10.0.0.2, which forwards plain HTTP and says how the client came.
	e := app.send(labReq{method: http.MethodGet, url: "http://" + labHost + "/api/me", remote: "10.0.0.2:39000",
		header: []string{"X-Forwarded-Proto", "https", "X-Forwarded-For", "198.51.100.20"}})
	if e.status/100 == 3 {
		e.fail(fmt.Sprintf("got status %d, a redirect, for a request our proxy (10.0.0.2, in Config.TrustedProxies) marked X-Forwarded-Proto: https: want it served (401 here)", e.status),
			"isHTTPS (transport.go): r.TLS != nil, or a.fromTrustedProxy(r) and X-Forwarded-Proto is https. "+
				"Redirecting it would loop forever: the proxy always speaks HTTP to us")
	}
	if e.header.Get("Strict-Transport-Security") == "" {
		e.fail("the client used HTTPS (says our proxy): want Strict-Transport-Security on the response")
	}
	e = app.send(labReq{method: http.MethodGet, url: "http://" + labHost + "/api/me", remote: "10.0.0.2:39001",
		header: []string{"X-Forwarded-Proto", "http", "X-Forwarded-For", "198.51.100.20"}})
	e.wantRedirectToHTTPS(labSite + "/api/me")
	// Someone reaching the app directly, not through the proxy, may write any header.
	e = app.send(labReq{method: http.MethodGet, url: "http://" + labHost + "/api/me", remote: "198.51.100.7:40000",
		header: []string{"X-Forwarded-Proto", "https"}})
	if e.status != http.StatusMovedPermanently && e.status != http.StatusPermanentRedirect {
		e.fail(fmt.Sprintf("got status %d, want a redirect to HTTPS: 198.51.100.7 is not in Config.TrustedProxies, so its X-Forwarded-Proto means nothing", e.status),
			"believe X-Forwarded-Proto only when a.fromTrustedProxy(r) (proxy.go)")
	}
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	app := labNewApp(t)
	app.mustLogin("ada")
	// The last one is plain HTTP: its redirect is a response too.
	for _, target := range []string{labSite + "/account", labSite + "/api/me", labSite + "/no-such-page", "http://" + labHost + "/account"} {
		e := app.send(labReq{method: http.MethodGet, url: target})
		if got := e.header.Get("X-Content-Type-Options"); got != "nosniff" {
			e.fail(fmt.Sprintf("got X-Content-Type-Options %q, want \"nosniff\"", got),
				"set the security headers in transport (transport.go), before calling next, so that every response gets them")
		}
		switch rp := e.header.Get("Referrer-Policy"); rp {
		case "no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin":
		default:
			e.fail(fmt.Sprintf("got Referrer-Policy %q, want one that never sends our paths and queries to other sites, like strict-origin-when-cross-origin", rp))
		}
		csp := map[string][]string{}
		for _, d := range strings.Split(e.header.Get("Content-Security-Policy"), ";") {
			f := strings.Fields(d)
			if len(f) > 0 {
				csp[strings.ToLower(f[0])] = f[1:]
			}
		}
		hint := "for example Content-Security-Policy: default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
		src, ok := csp["default-src"]
		if !ok || len(src) == 0 {
			e.fail(fmt.Sprintf("got Content-Security-Policy %q, want a default-src directive", e.header.Get("Content-Security-Policy")), hint)
		}
		for name, values := range csp {
			for _, v := range values {
				if v == "*" || v == "'unsafe-inline'" || v == "'unsafe-eval'" || v == "data:" || v == "http:" || v == "https:" {
					e.fail(fmt.Sprintf("got %s %s in the Content-Security-Policy, want no source that lets injected or foreign scripts run", name, v), hint)
				}
			}
		}
		fa := strings.Join(csp["frame-ancestors"], " ")
		if fa != "'none'" && fa != "'self'" {
			e.fail(fmt.Sprintf("got frame-ancestors %q in the Content-Security-Policy, want 'none' (or 'self'): other sites must not frame our pages (clickjacking)", fa), hint)
		}
	}
}

func TestRequestBodyLimited(t *testing.T) {
	app := labNewApp(t, func(c *Config) { c.MaxBodyBytes = 1024 })
	big := `{"username":"ada","password":"` + strings.Repeat("x", 2000) + `"}`
	for _, unknown := range []bool{false, true} {
		e := app.send(labReq{method: http.MethodPost, url: labSite + "/login", body: big, unknownLength: unknown,
			header: []string{"Content-Type", "application/json"}})
		if e.status != http.StatusRequestEntityTooLarge {
			hint := "wrap the body in transport (transport.go): r.Body = http.MaxBytesReader(w, r.Body, a.cfg.MaxBodyBytes); readJSON (httpx.go) turns the error into 413"
			if unknown {
				hint = "this body came without a Content-Length, as chunked bodies do: checking r.ContentLength is not enough. " + hint
			}
			e.fail(fmt.Sprintf("a body of %d bytes with Config.MaxBodyBytes = 1024: got status %d %s, want 413 Request Entity Too Large", len(big), e.status, http.StatusText(e.status)), hint)
		}
	}
	e := app.login("ada", "not her password", "")
	e.wantStatus(http.StatusUnauthorized, "a small body must still be read as usual")
}
