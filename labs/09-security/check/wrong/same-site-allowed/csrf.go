//go:build labcheck

package main

import "net/http"

// csrfProtect refuses state-changing requests (POST, PUT, PATCH, DELETE) that a browser sent
// on behalf of another site. It reads the Fetch metadata the browser adds (Sec-Fetch-Site)
// and, for older browsers, compares Origin with Host: net/http's CrossOriginProtection.
// The origins allowed by CORS are our own front-ends, so they are trusted here too.
func (a *App) csrfProtect(next http.Handler) http.Handler {
	p := http.NewCrossOriginProtection()
	for _, origin := range a.cors.list {
		if err := p.AddTrustedOrigin(origin); err != nil {
			panic(err) // newCORS already checked every origin
		}
	}
	p.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusForbidden, "cross-origin request refused")
	}))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Sec-Fetch-Site") == "same-site" {
			next.ServeHTTP(w, r) // our own subdomains
			return
		}
		p.Handler(next).ServeHTTP(w, r)
	})
}

// csrfToken is the value of the hidden csrf_token field of the account form. With Fetch
// metadata checks no token is needed, so it is empty.
func (a *App) csrfToken(w http.ResponseWriter, r *http.Request) string {
	return ""
}
