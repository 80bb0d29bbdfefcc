package main

import (
	"log/slog"
	"net/http"
)

// recoverer turns a panic in a handler into a 500 response with the JSON body
// {"error": "internal server error"}, and logs it: level ERROR, msg "panic", attributes
// panic (the value, as a string), stack (the goroutine's stack, runtime/debug.Stack()) and
// request_id. The panic http.ErrAbortHandler is net/http's way to abort a response on
// purpose: let it go on (panic again).
func recoverer(logger *slog.Logger) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// TODO(recover): a panic in next becomes the logged record and the 500 described
			// above; http.ErrAbortHandler goes on panicking.
			next.ServeHTTP(w, r)
		})
	}
}
