// Command rates is a small currency-rates API that calls another service, used to practise
// observability: metrics, structured logs, traces, error tracking, alerts and dashboards.
//
//	go run .                                 # listens on :8080 (or $PORT)
//	curl -i localhost:8080/api/v1/rates/EUR
//	curl -s localhost:8080/metrics | grep http_
//	LOG_LEVEL=debug go run .                 # debug lines, and one line per finished span
//
// RATES_URL is the upstream rates service; when it is unset a demo one starts in-process
// (EUR, GBP, JPY; XTS, the ISO 4217 code reserved for tests, answers 500; anything else 404). SENTRY_DSN, when set, sends errors
// to Sentry.
package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

func main() {
	logger := newLogger(os.Stdout)

	addr := ":8080"
	if p := os.Getenv("PORT"); p != "" {
		addr = ":" + p
	}

	upstream := os.Getenv("RATES_URL")
	if upstream == "" {
		var err error
		if upstream, err = startDemoUpstream(); err != nil {
			logger.Error("demo upstream", "err", err)
			os.Exit(1)
		}
		logger.Info("RATES_URL is empty: using a demo rates service", "url", upstream)
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	// Spans are written to the log at DEBUG; a real deployment exports them with OTLP to a
	// collector (Jaeger, Tempo, Honeycomb...).
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(logExporter{logger}))
	defer tp.Shutdown(context.Background())

	var sentryClient *sentry.Client
	if dsn := os.Getenv("SENTRY_DSN"); dsn != "" {
		c, err := sentry.NewClient(sentry.ClientOptions{Dsn: dsn, Environment: "dev"})
		if err != nil {
			logger.Error("sentry", "err", err)
			os.Exit(1)
		}
		defer c.Flush(2 * time.Second)
		sentryClient = c
	}

	srv := &http.Server{
		Addr: addr,
		Handler: newApp(Config{
			Registry:       reg,
			Logger:         logger,
			TracerProvider: tp,
			Propagator:     propagation.TraceContext{},
			Sentry:         sentryClient,
			Upstream:       upstream,
		}),
		ReadHeaderTimeout: 5 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelError),
	}
	logger.Info("listening", "addr", addr)
	if err := srv.ListenAndServe(); err != nil {
		logger.Error("server stopped", "err", err)
		os.Exit(1)
	}
}

// logExporter writes finished spans to the log at DEBUG level.
type logExporter struct{ log *slog.Logger }

func (e logExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	for _, s := range spans {
		e.log.DebugContext(ctx, "span",
			"name", s.Name(), "kind", s.SpanKind().String(),
			"trace_id", s.SpanContext().TraceID().String(), "span_id", s.SpanContext().SpanID().String(),
			"parent_id", s.Parent().SpanID().String(), "status", s.Status().Code.String(),
			"duration_ms", float64(s.EndTime().Sub(s.StartTime()).Microseconds())/1000)
	}
	return nil
}

func (logExporter) Shutdown(context.Context) error { return nil }

// startDemoUpstream serves GET /rates/{currency} on a free local port.
func startDemoUpstream() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	rates := map[string]float64{"EUR": 1.08, "GBP": 1.27, "JPY": 0.0067}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /rates/{currency}", func(w http.ResponseWriter, r *http.Request) {
		cur := strings.ToUpper(r.PathValue("currency"))
		if cur == "XTS" {
			http.Error(w, "upstream exploded", http.StatusInternalServerError)
			return
		}
		v, ok := rates[cur]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"currency": cur, "rate": v})
	})
	go func() { _ = http.Serve(ln, mux) }()
	return "http://" + ln.Addr().String(), nil
}
