package main

import (
	"log/slog"
	"net/http"
)

// logging writes one structured access-log record per request, after the handler returns:
//
//	level INFO, msg "request", and the attributes
//	method (string), route (string, the ServeMux pattern that matched, e.g. "GET /api/v1/me"),
//	status (int), bytes (int, response body bytes), duration (slog.Duration),
//	request_id (string, from requestIDFrom(r.Context()))
func logging(logger *slog.Logger) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// TODO(logging): note the start time, wrap w in a responseRecorder, call next with
			// the wrapper, then log the record described above. The route is r.Pattern, read
			// after next returns (the ServeMux fills it in on this same request).
			next.ServeHTTP(w, r)
		})
	}
}

// responseRecorder remembers the status and the number of body bytes a handler wrote.
//
// TODO(logging): give it the methods it needs:
//   - WriteHeader(code int): remember the first final status (>= 200), pass the call on;
//   - Write(b []byte) (int, error): a Write without WriteHeader means 200; count the bytes;
//   - Unwrap() http.ResponseWriter: lets http.NewResponseController reach the real writer
//     (Flush, SetWriteDeadline, EnableFullDuplex, Hijack...);
//   - Flush(): for handlers that still type-assert w.(http.Flusher).
type responseRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}
