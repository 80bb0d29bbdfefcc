package main

import "net/http"

// requestID gives every request an id: the client's X-Request-ID when it is acceptable (1 to
// 64 characters from A-Z a-z 0-9 . _ -), otherwise a new random one (crypto/rand.Text() is a
// good choice). The id goes into the request context (withRequestID) and into the
// X-Request-ID response header, so a client can quote it in a bug report.
func requestID() Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// TODO(request-id): pick the id (reuse a valid incoming one, else generate), send it
			// in the response header, and make it readable with requestIDFrom by everything
			// inside.
			next.ServeHTTP(w, r)
		})
	}
}
