package main

import (
	"io"
	"log/slog"
	"net/http"
)

// newLogger returns a JSON logger writing to w, at the level named by the LOG_LEVEL
// environment variable (debug, info, warn, error; any case; INFO when unset or not
// understood), that redacts secrets (see redact).
//
// TODO(structured-logs): read os.Getenv("LOG_LEVEL") and turn it into a slog.Level
// (level.UnmarshalText does the parsing; fall back to INFO on an error, and say so in a
// WARN record); pass the level and redact in slog.HandlerOptions.
func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, nil))
}

// redact is the ReplaceAttr of the handler: it is called for every attribute, inside groups
// too, and returns the attribute to write.
//
// TODO(structured-logs): replace the value of the keys authorization, cookie, set-cookie and
// password (compare in lower case) with "[REDACTED]". ReplaceAttr does not look inside map
// values, so for an http.Header value (a.Value.Any().(http.Header)), return a clone whose
// Authorization, Proxy-Authorization, Cookie and Set-Cookie are []string{"[REDACTED]"}.
func redact(groups []string, a slog.Attr) slog.Attr {
	return a
}

// logging writes one access-log record per request, after the response:
//
//	msg "request"; level ERROR for 5xx, WARN for 4xx, INFO otherwise;
//	request_id, method, route (routeOf), status (int), duration_ms (float),
//	error (only when errorOf(r) != nil), trace_id and span_id (when a span is active).
//
// TODO(structured-logs): note the start time, wrap w with newStatusRecorder, call next, then
// logger.LogAttrs(r.Context(), level, "request", ...) with the attributes above. The span is
// trace.SpanContextFromContext(r.Context()) (go.opentelemetry.io/otel/trace): add its ids only
// when it IsValid().
func logging(logger *slog.Logger) Middleware {
	return func(next http.Handler) http.Handler {
		return next
	}
}
