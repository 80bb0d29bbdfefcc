package main

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// Config is everything newApp needs. The hidden tests build one per test, with their own
// registry, logger, tracer provider, Sentry client and fake upstream, so nothing is global.
type Config struct {
	Registry       *prometheus.Registry          // metrics are registered here and served on /metrics; nil: a new one
	Logger         *slog.Logger                  // every log line goes here; nil: discard
	TracerProvider trace.TracerProvider          // spans come from here; nil: no tracing
	Propagator     propagation.TextMapPropagator // reads and writes traceparent; nil: W3C Trace Context
	Sentry         *sentry.Client                // panics and 5xx are reported here; nil: not reported
	Upstream       string                        // base URL of the rates service, like "http://127.0.0.1:8081"
}

func (c Config) withDefaults() Config {
	if c.Registry == nil {
		c.Registry = prometheus.NewRegistry()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.TracerProvider == nil {
		c.TracerProvider = noop.NewTracerProvider()
	}
	if c.Propagator == nil {
		c.Propagator = propagation.TraceContext{}
	}
	return c
}

// newApp wires the routes and the observability middleware. It is complete: the middleware
// it calls are yours to write.
//
// Every request goes through, outermost first:
//
//	withRequestInfo → tracing → logging → metrics → reportErrors → matchRoute → mux
//
// tracing is outside logging, so that the access log can carry the trace id. reportErrors
// is the innermost: a panic becomes a 500 before the logs, the metrics and the span see the
// response, so all three count it.
func newApp(cfg Config) http.Handler {
	cfg = cfg.withDefaults()
	rates := &ratesAPI{
		upstream: cfg.Upstream,
		client: &http.Client{
			Transport: outboundTransport(cfg.TracerProvider, cfg.Propagator),
			Timeout:   5 * time.Second,
		},
		log: cfg.Logger,
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", handleHealth)
	mux.Handle("GET /metrics", metricsHandler(cfg.Registry))
	mux.HandleFunc("GET /api/v1/rates/{currency}", rates.get)
	mux.HandleFunc("GET /debug/panic", handlePanic)

	m := newHTTPMetrics(cfg.Registry)
	return chain(matchRoute(mux),
		withRequestInfo(),
		tracing(cfg.TracerProvider, cfg.Propagator),
		logging(cfg.Logger),
		m.middleware,
		reportErrors(cfg.Sentry),
	)
}

func handleHealth(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// handlePanic panics on purpose: a way to check, in staging, that a crash really ends up in
// the error tracker, the logs and the metrics (Sentry's own setup guide suggests one).
func handlePanic(w http.ResponseWriter, r *http.Request) {
	panic("debug: deliberate panic to test error reporting")
}
