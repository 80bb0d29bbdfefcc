//go:build labcheck

package main

import (
	"net/http"
	"strings"
)

// The security headers of every response.
const (
	// Only our own scripts, styles and images; no plugins; nobody may frame our pages
	// (clickjacking); forms post only to us.
	contentSecurityPolicy = "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
	// Two years, subdomains included: what the HSTS preload list asks for.
	strictTransportSecurity = "max-age=86400; includeSubDomains"
)

// isHTTPS reports whether the client reached us over HTTPS: TLS ended here, or at one of our
// trusted proxies, which says so in X-Forwarded-Proto. From anyone else that header is a lie
// we cannot detect, so it is ignored.
func (a *App) isHTTPS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	if !a.fromTrustedProxy(r) {
		return false
	}
	// With several proxies the nearest one wrote the last value.
	protos := strings.Split(strings.Join(r.Header.Values("X-Forwarded-Proto"), ","), ",")
	return strings.EqualFold(strings.TrimSpace(protos[len(protos)-1]), "https")
}

// transport is the outermost middleware: security headers on every response, plain HTTP
// sent to HTTPS, HSTS, and a cap on the size of request bodies.
func (a *App) transport(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY") // frame-ancestors for browsers that predate it
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")

		if !a.isHTTPS(r) {
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				// The body already crossed the network in clear; do not make the client
				// send it twice. Fail loudly so the bad link gets fixed.
				writeError(w, http.StatusBadRequest, "use https")
				return
			}
			http.Redirect(w, r, "https://"+r.Host+r.URL.RequestURI(), http.StatusPermanentRedirect)
			return
		}
		h.Set("Strict-Transport-Security", strictTransportSecurity)
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, a.cfg.MaxBodyBytes)
		}
		next.ServeHTTP(w, r)
	})
}
