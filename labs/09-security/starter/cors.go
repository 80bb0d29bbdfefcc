package main

import (
	"net/http"
)

// corsPolicy decides which other origins (our own front-ends) may call the API from a
// browser, with cookies.
type corsPolicy struct {
	list []string // the allowed origins, normalised
}

// newCORS checks the allowlist, Config.AllowedOrigins.
func newCORS(origins []string) (*corsPolicy, error) {
	// TODO(cors): check each origin (scheme://host[:port], nothing else) and refuse "*" and
	// "null" with an error, so that a bad configuration stops the app at startup.
	return &corsPolicy{}, nil
}

func (c *corsPolicy) handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// TODO(cors): this is the front-end team's quick fix ("CORS works now!"): it lets
		// every website in the world read our API with our users' cookies. Allow only the
		// origins of the allowlist, name methods and headers explicitly, and add
		// Vary: Origin.
		if origin := r.Header.Get("Origin"); origin != "" {
			w.Header().Set("Access-Control-Allow-Origin", origin)
			w.Header().Set("Access-Control-Allow-Credentials", "true")
		}
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			w.Header().Set("Access-Control-Allow-Methods", "*")
			w.Header().Set("Access-Control-Allow-Headers", "*")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}
