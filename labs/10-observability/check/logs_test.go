//go:build labcheck

package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// Task structured-logs: newLogger (LOG_LEVEL, redaction) and the access log.

// labSetLogLevel sets LOG_LEVEL for the test; "" unsets it.
func labSetLogLevel(t *testing.T, v string) {
	t.Setenv("LOG_LEVEL", v) // restores the old value at the end of the test
	if v == "" {
		os.Unsetenv("LOG_LEVEL")
	}
}

// labNewLogger calls the learner's newLogger(w).
func labNewLogger(t *testing.T, w *labLogBuffer) *slog.Logger {
	t.Helper()
	var l *slog.Logger
	labGuard(t, "newLogger(w)", func() { l = newLogger(w) })
	if l == nil {
		t.Fatalf("newLogger(w) returned nil, want a *slog.Logger writing JSON to w")
	}
	return l
}

// labUseNewLogger is a newLabApp setup giving the app the learner's newLogger.
func labUseNewLogger(t *testing.T) func(*Config, *labLogBuffer) {
	return func(cfg *Config, logs *labLogBuffer) { cfg.Logger = labNewLogger(t, logs) }
}

// labAccessLog returns the one "request" record, or stops the test saying what was logged.
func labAccessLog(t *testing.T, e *labExchange, logs *labLogBuffer) map[string]any {
	t.Helper()
	got := labWithMsg(logs.records(t), "request")
	if len(got) != 1 {
		e.fail(fmt.Sprintf("got %d log records with \"msg\":\"request\", want exactly 1 (the access log of this request)\nlog output:\n%s",
			len(got), labClip(logs.String(), 1200)),
			"logging(logger) (logging.go) writes one record after next.ServeHTTP returns: logger.LogAttrs(r.Context(), level, \"request\", ...)")
	}
	return got[0]
}

// labCheckFields compares log attributes; JSON numbers arrive as float64.
func labCheckFields(e *labExchange, rec map[string]any, want map[string]any, hint string) {
	e.t.Helper()
	var bad []string
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		w := want[k]
		g, ok := rec[k]
		switch {
		case !ok:
			bad = append(bad, fmt.Sprintf("%s: missing, want %#v", k, w))
		case fmt.Sprint(g) != fmt.Sprint(w):
			bad = append(bad, fmt.Sprintf("%s: got %#v, want %#v", k, g, w))
		}
	}
	if len(bad) > 0 {
		e.fail(fmt.Sprintf("the access log record is wrong:\n    %s\nrecord: %v", strings.Join(bad, "\n    "), rec), hint)
	}
}

func TestLogLevelFromEnvironment(t *testing.T) {
	all := []string{"DEBUG", "INFO", "WARN", "ERROR"}
	cases := []struct {
		env  string
		want []string
	}{
		{"", all[1:]},
		{"debug", all},
		{"DEBUG", all},
		{"info", all[1:]},
		{"warn", all[2:]},
		{"error", all[3:]},
		{"chatty", all[1:]}, // not a level: INFO, the default
	}
	for _, c := range cases {
		labSetLogLevel(t, c.env)
		buf := &labLogBuffer{}
		l := labNewLogger(t, buf)
		l.Debug("lab-probe")
		l.Info("lab-probe")
		l.Warn("lab-probe")
		l.Error("lab-probe")
		var got []string
		for _, r := range labWithMsg(buf.records(t), "lab-probe") {
			got = append(got, fmt.Sprint(r["level"]))
			if _, ok := r["time"]; !ok {
				t.Fatalf("LOG_LEVEL=%q: a record without \"time\": %v\nhint: slog.NewJSONHandler writes time, level and msg for you", c.env, r)
			}
		}
		if !slices.Equal(got, c.want) {
			env := fmt.Sprintf("LOG_LEVEL=%q", c.env)
			if c.env == "" {
				env = "LOG_LEVEL unset"
			}
			t.Fatalf("%s: newLogger(w), then one Debug, Info, Warn and Error record each: got the levels %v in the output, want %v\noutput:\n%s\nhint: read os.Getenv(\"LOG_LEVEL\") in newLogger; var level slog.Level; level.UnmarshalText([]byte(s)) understands debug/info/warn/error in any case; on an error use INFO; pass it as slog.HandlerOptions{Level: level}",
				env, got, c.want, labClip(buf.String(), 800))
		}
		if c.env == "chatty" {
			warned := false
			for _, r := range buf.records(t) {
				if r["msg"] != "lab-probe" && fmt.Sprint(r["level"]) == "WARN" {
					warned = true
				}
			}
			if !warned {
				t.Fatalf("LOG_LEVEL=\"chatty\" is not a level: newLogger fell back to INFO without a WARN record saying so, so nobody learns that the setting was ignored\noutput:\n%s\nhint: after building the logger, log a WARN that names LOG_LEVEL and the value", labClip(buf.String(), 800))
			}
		}
	}
}

func TestLoggerRedactsSecrets(t *testing.T) {
	labSetLogLevel(t, "")
	buf := &labLogBuffer{}
	l := labNewLogger(t, buf)
	l.Info("lab-probe",
		"user", "ada",
		"Authorization", "Bearer tok-SECRET-1",
		slog.Group("req", slog.String("cookie", "session=ck-SECRET-2"), slog.String("path", "/x")),
		"password", "pw-SECRET-3",
		"headers", http.Header{
			"Authorization": {"Bearer tok-SECRET-4"},
			"Cookie":        {"session=ck-SECRET-5"},
			"Set-Cookie":    {"sid=SECRET-6; HttpOnly"},
			"Accept":        {"application/json"},
		},
	)
	call := `logger.Info("lab-probe", "user", "ada", "Authorization", "Bearer tok-SECRET-1", slog.Group("req", "cookie", "session=ck-SECRET-2", "path", "/x"), "password", "pw-SECRET-3", "headers", http.Header{Authorization, Cookie, Set-Cookie with secrets, Accept: application/json})`
	out := buf.String()
	recs := labWithMsg(buf.records(t), "lab-probe")
	if len(recs) != 1 {
		t.Fatalf("%s: got %d records with msg lab-probe, want 1\noutput:\n%s", call, len(recs), labClip(out, 800))
	}
	rec := recs[0]
	if strings.Contains(out, "SECRET") {
		t.Fatalf("%s\nthe output still holds a secret:\n%s\nhint: slog.HandlerOptions{ReplaceAttr: redact}: redact sees every attribute (inside groups too) and replaces the value of authorization, cookie, set-cookie and password keys (any case) with \"[REDACTED]\"; it does not see the keys inside a map, so an http.Header value must be cloned and cleaned as a whole (a.Value.Any().(http.Header))",
			call, labClip(out, 1200))
	}
	var bad []string
	if rec["user"] != "ada" {
		bad = append(bad, fmt.Sprintf(`"user": got %#v, want "ada" (only secrets are redacted)`, rec["user"]))
	}
	if rec["Authorization"] != "[REDACTED]" {
		bad = append(bad, fmt.Sprintf(`"Authorization": got %#v, want "[REDACTED]"`, rec["Authorization"]))
	}
	if rec["password"] != "[REDACTED]" {
		bad = append(bad, fmt.Sprintf(`"password": got %#v, want "[REDACTED]"`, rec["password"]))
	}
	if g, _ := rec["req"].(map[string]any); g == nil || g["cookie"] != "[REDACTED]" || g["path"] != "/x" {
		bad = append(bad, fmt.Sprintf(`"req": got %#v, want {"cookie":"[REDACTED]","path":"/x"}`, rec["req"]))
	}
	h, _ := rec["headers"].(map[string]any)
	for _, name := range []string{"Authorization", "Cookie", "Set-Cookie"} {
		if fmt.Sprint(h[name]) != "[[REDACTED]]" {
			bad = append(bad, fmt.Sprintf(`"headers"."%s": got %#v, want ["[REDACTED]"]`, name, h[name]))
		}
	}
	if fmt.Sprint(h["Accept"]) != "[application/json]" {
		bad = append(bad, fmt.Sprintf(`"headers"."Accept": got %#v, want ["application/json"] (only secrets are redacted)`, h["Accept"]))
	}
	if len(bad) > 0 {
		t.Fatalf("%s\nthe record is wrong:\n    %s\nrecord: %s", call, strings.Join(bad, "\n    "), labClip(out, 1200))
	}
}

func TestAccessLogRecordFields(t *testing.T) {
	a := newLabApp(t, "structured-logs", nil)
	e := a.get("/api/v1/rates/EUR", "X-Request-ID", "req-log-1")
	e.wantStatus(200)
	rec := labAccessLog(t, e, a.logs)
	labCheckFields(e, rec, map[string]any{
		"level":      "INFO",
		"request_id": "req-log-1",
		"method":     "GET",
		"route":      labRatesRoute,
		"status":     200,
	}, "attributes: request_id (requestIDFrom), method, route (routeOf(r), read after next returns), status (an int, from newStatusRecorder), duration_ms")
	d, ok := rec["duration_ms"].(float64)
	if !ok || d < 0 || d > 60000 {
		e.fail(fmt.Sprintf(`"duration_ms": got %#v, want a number of milliseconds >= 0 (the unit in the name, a float: slog.Float64("duration_ms", ...))`, rec["duration_ms"]))
	}
	if v, ok := rec["error"]; ok {
		e.fail(fmt.Sprintf(`"error": got %#v on a request that succeeded, want no error attribute at all`, v),
			"add the error attribute only when errorOf(r) != nil")
	}

	a.logs.Reset()
	e = a.get("/no/such/thing/42", "X-Request-ID", "req-log-2")
	e.wantStatus(404)
	rec = labAccessLog(t, e, a.logs)
	labCheckFields(e, rec, map[string]any{
		"level":      "WARN",
		"request_id": "req-log-2",
		"route":      "unmatched",
		"status":     404,
	}, "4xx is the client's problem: WARN; routeOf(r) is \"unmatched\" when no pattern matched (never the raw path)")
}

func TestAccessLogLevelAndErrorFor5xx(t *testing.T) {
	a := newLabApp(t, "structured-logs", nil)
	e := a.get("/api/v1/rates/XTS", "X-Request-ID", "req-log-3")
	e.wantStatus(502)
	rec := labAccessLog(t, e, a.logs)
	labCheckFields(e, rec, map[string]any{
		"level":      "ERROR",
		"request_id": "req-log-3",
		"route":      labRatesRoute,
		"status":     502,
	}, "5xx is our problem: level ERROR, and the cause in \"error\"")
	if msg, _ := rec["error"].(string); !strings.Contains(msg, "status 500") {
		e.fail(fmt.Sprintf(`"error": got %#v, want the cause the handler recorded ("rates upstream: GET /rates/XTS: status 500")`, rec["error"]),
			"slog.String(\"error\", err.Error()) with err := errorOf(r), when it is not nil")
	}

	// LOG_LEVEL=warn: the successes are not logged, the failures are.
	labSetLogLevel(t, "warn")
	b := newLabApp(t, "structured-logs", labUseNewLogger(t))
	b.get("/healthz").wantStatus(200)
	e = b.get("/api/v1/rates/XTS")
	e.wantStatus(502)
	got := labWithMsg(b.logs.records(t), "request")
	if len(got) != 1 || got[0]["status"] != float64(502) {
		e.fail(fmt.Sprintf("with LOG_LEVEL=warn and cfg.Logger = newLogger(w), after GET /healthz (200) and this request: got %d access-log records, want only the one of the 502\nlog output:\n%s",
			len(got), labClip(b.logs.String(), 1200)),
			"the access log's level follows the status (INFO, WARN for 4xx, ERROR for 5xx), and the handler drops what is below LOG_LEVEL")
	}
}

func TestAccessLogCarriesTraceID(t *testing.T) {
	a := newLabApp(t, "structured-logs", nil)
	// The test starts a span around the whole app, as a tracing middleware in front of it
	// would, and expects the access log to name its trace.
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(tracetest.NewInMemoryExporter()))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	var traceID string
	wrapped := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, span := tp.Tracer("lab").Start(r.Context(), "lab-outer")
		defer span.End()
		traceID = span.SpanContext().TraceID().String()
		a.h.ServeHTTP(w, r.WithContext(ctx))
	})
	e := a.serve(wrapped, "GET", "/healthz")
	e.wantStatus(200)
	rec := labAccessLog(t, e, a.logs)
	hint := "trace.SpanContextFromContext(r.Context()): when it IsValid(), add trace_id (sc.TraceID().String()) and span_id (sc.SpanID().String()); this is what takes you from a log line to its trace"
	if rec["trace_id"] != traceID {
		e.fail(fmt.Sprintf(`the request ran inside a span of trace %s; the access log has "trace_id": %#v, want %q`, traceID, rec["trace_id"], traceID), hint)
	}
	if s, _ := rec["span_id"].(string); !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(s) {
		e.fail(fmt.Sprintf(`"span_id": got %#v, want 16 hex digits`, rec["span_id"]), hint)
	}

	// Without a span, no trace_id at all (not an all-zero one).
	a.logs.Reset()
	e = a.serve(newLabPlainApp(t, a), "GET", "/healthz")
	rec = labAccessLog(t, e, a.logs)
	if v, ok := rec["trace_id"]; ok {
		e.fail(fmt.Sprintf(`with no span at all, the access log has "trace_id": %#v, want no trace_id attribute`, v), hint)
	}
}

// newLabPlainApp builds a second app on the same logs, without tracing.
func newLabPlainApp(t *testing.T, a *labApp) http.Handler {
	t.Helper()
	cfg := a.cfg
	cfg.Registry = nil
	cfg.TracerProvider = nil
	cfg.Propagator = propagation.TraceContext{}
	var h http.Handler
	labGuard(t, "newApp(cfg) with a nil TracerProvider", func() { h = newApp(cfg) })
	return h
}

func TestAppDebugLogsRedactHeaders(t *testing.T) {
	labSetLogLevel(t, "debug")
	a := newLabApp(t, "structured-logs", labUseNewLogger(t))
	e := a.get("/api/v1/rates/EUR",
		"Authorization", "Bearer tok-SECRET-A",
		"Cookie", "session=ck-SECRET-B",
		"X-Request-ID", "req-log-4")
	e.wantStatus(200)
	out := a.logs.String()
	if len(labWithMsg(a.logs.records(t), "rates request")) != 1 {
		e.fail(fmt.Sprintf("LOG_LEVEL=debug and cfg.Logger = newLogger(w): want the DEBUG record \"rates request\" of rates.go, got:\n%s", labClip(out, 1200)),
			"newLogger must read LOG_LEVEL")
	}
	if strings.Contains(out, "SECRET") {
		e.fail(fmt.Sprintf("the logs hold the request's Authorization or Cookie:\n%s", labClip(out, 1500)),
			"rates.go logs \"headers\", r.Header at DEBUG: redact (newLogger's ReplaceAttr) must clean an http.Header value, not only attributes named authorization or cookie")
	}
}
