//go:build labcheck

package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// corsPolicy lets the listed origins (our own front-ends) call the API from a browser, with
// cookies. Everybody else gets no CORS headers at all, so their pages cannot read our answers.
type corsPolicy struct {
	allowed map[string]bool
	list    []string
}

// newCORS checks and normalises the allowlist. "*" is refused: a wildcard cannot go with
// credentials, and reflecting every origin instead would hand our users' data to any site.
func newCORS(origins []string) (*corsPolicy, error) {
	c := &corsPolicy{allowed: make(map[string]bool)}
	for _, o := range origins {
		u, err := url.Parse(strings.TrimSuffix(o, "/"))
		if o == "*" || o == "null" || err != nil || (u.Scheme != "https" && u.Scheme != "http") ||
			u.Host == "" || u.Path != "" || u.RawQuery != "" || u.User != nil || u.Fragment != "" {
			return nil, fmt.Errorf("AllowedOrigins: %q is not an origin like https://app.example.com", o)
		}
		origin := u.Scheme + "://" + strings.ToLower(u.Host)
		if !c.allowed[origin] {
			c.allowed[origin] = true
			c.list = append(c.list, origin)
		}
	}
	return c, nil
}

const (
	corsMethods = "GET, PATCH"
	corsHeaders = "Content-Type"
)

func (c *corsPolicy) handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		// The answer depends on Origin: caches must keep one copy per Origin.
		h.Add("Vary", "Origin")
		origin := r.Header.Get("Origin")
		preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
		if preflight {
			h.Add("Vary", "Access-Control-Request-Method")
			h.Add("Vary", "Access-Control-Request-Headers")
		}
		if origin == "" || !c.allowed[origin] {
			if preflight {
				w.WriteHeader(http.StatusNoContent) // no CORS headers: the browser stops here
				return
			}
			next.ServeHTTP(w, r) // not our front-end: the browser will hide the answer
			return
		}
		h.Set("Access-Control-Allow-Origin", origin) // this one origin, never "*"
		h.Set("Access-Control-Allow-Credentials", "true")
		if preflight {
			// Explicit lists: with credentials, "*" is not a wildcard but a method named "*".
			h.Set("Access-Control-Allow-Methods", corsMethods)
			h.Set("Access-Control-Allow-Headers", corsHeaders)
			h.Set("Access-Control-Max-Age", "600")
		}
		next.ServeHTTP(w, r)
	})
}
