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
			next.ServeHTTP(rec, r)
			logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("method", r.Method),
				slog.String("route", r.Pattern),
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
	wroteHeader bool
	status      int
	bytes       int
}

func (rw *responseRecorder) statusCode() int {
	if !rw.wroteHeader {
		return http.StatusOK
	}
	return rw.status
}

func (rw *responseRecorder) WriteHeader(code int) {
	if !rw.wroteHeader && code >= 200 {
		rw.wroteHeader, rw.status = true, code
	}
	rw.ResponseWriter.WriteHeader(code)
}

func (rw *responseRecorder) Write(b []byte) (int, error) {
	if !rw.wroteHeader {
		rw.wroteHeader, rw.status = true, http.StatusOK
	}
	n, err := rw.ResponseWriter.Write(b)
	rw.bytes += n
	return n, err
}

func (rw *responseRecorder) Unwrap() http.ResponseWriter { return rw.ResponseWriter }

func (rw *responseRecorder) Flush() {
	if !rw.wroteHeader {
		rw.wroteHeader, rw.status = true, http.StatusOK
	}
	if f, ok := rw.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
