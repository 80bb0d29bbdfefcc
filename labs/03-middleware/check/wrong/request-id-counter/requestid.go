//go:build labcheck

package main

import (
	"net/http"
	"strconv"
	"sync/atomic"
)

// requestID gives every request an id: the client's X-Request-ID when it is acceptable (1 to
// 64 characters from A-Z a-z 0-9 . _ -), otherwise a new random one (crypto/rand.Text() is a
// good choice). The id goes into the request context (withRequestID) and into the
// X-Request-ID response header, so a client can quote it in a bug report.
var lastID atomic.Int64

func requestID() Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id := r.Header.Get("X-Request-ID")
			if !validRequestID(id) {
				id = strconv.FormatInt(lastID.Add(1), 10)
			}
			w.Header().Set("X-Request-ID", id)
			next.ServeHTTP(w, r.WithContext(withRequestID(r.Context(), id)))
		})
	}
}

// validRequestID accepts 1 to 64 characters from A-Z a-z 0-9 . _ -: enough for UUIDs and the
// ids proxies generate, and nothing that could break a log line or a header.
func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range []byte(id) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}
