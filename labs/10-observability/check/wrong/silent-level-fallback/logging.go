//go:build labcheck

package main

import (
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"go.opentelemetry.io/otel/trace"
)

// newLogger returns a JSON logger writing to w, at the level named by the LOG_LEVEL
// environment variable (debug, info, warn, error; any case; INFO when unset or not
// understood), that redacts secrets (see redact).
func newLogger(w io.Writer) *slog.Logger {
	level := slog.LevelInfo
	env := os.Getenv("LOG_LEVEL")
	bad := false
	if env != "" {
		if err := level.UnmarshalText([]byte(env)); err != nil {
			level, bad = slog.LevelInfo, true
		}
	}
	logger := slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: redact}))
	_ = bad
	return logger
}

const redacted = "[REDACTED]"

// secretKeys are attribute keys whose values never reach the logs, whatever the case.
var secretKeys = map[string]bool{"authorization": true, "cookie": true, "set-cookie": true, "password": true}

// secretHeaders are the headers whose values are replaced inside a logged http.Header.
var secretHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie"}

// redact is the ReplaceAttr of the handler: it sees every attribute, inside groups too, but
// not the keys inside a map value, so an http.Header is copied and cleaned as a whole.
func redact(groups []string, a slog.Attr) slog.Attr {
	if secretKeys[strings.ToLower(a.Key)] {
		return slog.String(a.Key, redacted)
	}
	if a.Value.Kind() == slog.KindAny {
		if h, ok := a.Value.Any().(http.Header); ok {
			clean := h.Clone()
			for _, name := range secretHeaders {
				if _, ok := clean[name]; ok {
					clean[name] = []string{redacted}
				}
			}
			return slog.Any(a.Key, clean)
		}
	}
	return a
}

// logging writes one access-log record per request, after the response:
//
//	msg "request"; level ERROR for 5xx, WARN for 4xx, INFO otherwise;
//	request_id, method, route (routeOf), status (int), duration_ms (float),
//	error (only when errorOf(r) != nil), trace_id and span_id (when a span is active).
func logging(logger *slog.Logger) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			rec := newStatusRecorder(w)
			next.ServeHTTP(rec, r)

			status := rec.Status()
			level := slog.LevelInfo
			switch {
			case status >= 500:
				level = slog.LevelError
			case status >= 400:
				level = slog.LevelWarn
			}
			attrs := []slog.Attr{
				slog.String("request_id", requestIDFrom(r.Context())),
				slog.String("method", r.Method),
				slog.String("route", routeOf(r)),
				slog.Int("status", status),
				slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
			}
			if err := errorOf(r); err != nil {
				attrs = append(attrs, slog.String("error", err.Error()))
			}
			if sc := trace.SpanContextFromContext(r.Context()); sc.IsValid() {
				attrs = append(attrs,
					slog.String("trace_id", sc.TraceID().String()),
					slog.String("span_id", sc.SpanID().String()))
			}
			logger.LogAttrs(r.Context(), level, "request", attrs...)
		})
	}
}
