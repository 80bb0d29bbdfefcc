package main

import (
	"net/http"
)

// isHTTPS reports whether the client reached us over HTTPS.
func (a *App) isHTTPS(r *http.Request) bool {
	// TODO(transport): TLS may end here (r.TLS != nil) or at one of our proxies, which then
	// says X-Forwarded-Proto: https. Believe that header only from a.fromTrustedProxy(r).
	return r.TLS != nil
}

// transport is the outermost middleware: it sees every request first.
func (a *App) transport(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// TODO(transport): on every response, the security headers (Content-Security-Policy
		// with frame-ancestors, X-Content-Type-Options, Referrer-Policy). A request that did
		// not come over HTTPS: GET and HEAD get a permanent redirect to the https:// URL,
		// other methods are refused. Over HTTPS: Strict-Transport-Security, and the body is
		// capped at a.cfg.MaxBodyBytes, announced or chunked.
		next.ServeHTTP(w, r)
	})
}
