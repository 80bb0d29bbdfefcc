//go:build labcheck

package main

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
)

// recoverer turns a panic in a handler into a 500 response with the JSON body
// {"error": "internal server error"}, and logs it: level ERROR, msg "panic", attributes
// panic (the value, as a string), stack (the goroutine's stack, runtime/debug.Stack()) and
// request_id. The panic http.ErrAbortHandler is net/http's way to abort a response on
// purpose: let it go on (panic again).
func recoverer(logger *slog.Logger) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				v := recover()
				if v == nil {
					return
				}
				if v == http.ErrAbortHandler {
					panic(v)
				}
				logger.LogAttrs(r.Context(), slog.LevelError, "panic",
					slog.String("panic", fmt.Sprint(v)),
					slog.String("stack", string(debug.Stack())),
					slog.String("method", r.Method),
					slog.String("path", r.URL.Path),
					slog.String("request_id", requestIDFrom(r.Context())),
				)
				// The client learns nothing about the cause: the details are in the log,
				// findable by request id.
				writeError(w, http.StatusInternalServerError, "internal server error: "+fmt.Sprint(v))
			}()
			next.ServeHTTP(w, r)
		})
	}
}
