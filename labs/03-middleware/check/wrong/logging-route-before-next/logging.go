//go:build labcheck

package main

import (
	"log/slog"
	"net/http"
	"time"
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
			start := time.Now()
			rec := &responseRecorder{ResponseWriter: w}
			route := r.Pattern
			next.ServeHTTP(rec, r)
			logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("method", r.Method),
				slog.String("route", route),
				slog.Int("status", rec.statusCode()),
				slog.Int("bytes", rec.bytes),
				slog.Duration("duration", time.Since(start)),
				slog.String("request_id", requestIDFrom(r.Context())),
			)
		})
	}
}

// responseRecorder remembers the status and the number of body bytes a handler wrote.
type responseRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

// statusCode is what the client got: a handler that never wrote anything sent 200.
func (rw *responseRecorder) statusCode() int {
	if rw.status == 0 {
		return http.StatusOK
	}
	return rw.status
}

func (rw *responseRecorder) WriteHeader(code int) {
	// 1xx responses (103 Early Hints) may come before the final status; only the first
	// final status counts, as for net/http itself.
	if rw.status == 0 && code >= 200 {
		rw.status = code
	}
	rw.ResponseWriter.WriteHeader(code)
}

func (rw *responseRecorder) Write(b []byte) (int, error) {
	if rw.status == 0 {
		rw.status = http.StatusOK
	}
	n, err := rw.ResponseWriter.Write(b)
	rw.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the writer underneath for everything this type
// does not implement itself (SetWriteDeadline, EnableFullDuplex, Hijack, ...).
func (rw *responseRecorder) Unwrap() http.ResponseWriter {
	return rw.ResponseWriter
}

// FlushError is what http.ResponseController.Flush calls first: the error is not lost.
func (rw *responseRecorder) FlushError() error {
	if rw.status == 0 {
		rw.status = http.StatusOK // flushing sends the headers
	}
	return http.NewResponseController(rw.ResponseWriter).Flush()
}

// Flush keeps code that type-asserts w.(http.Flusher) working.
func (rw *responseRecorder) Flush() {
	_ = rw.FlushError()
}
