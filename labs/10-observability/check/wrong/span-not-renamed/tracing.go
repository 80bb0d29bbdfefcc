//go:build labcheck

package main

import (
	"net/http"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// tracing starts a server span for every request, continuing the caller's trace when the
// request carries a traceparent header. The span is named "METHOD route" and carries the
// http.route attribute once the route is known.
func tracing(tp trace.TracerProvider, prop propagation.TextMapPropagator) Middleware {
	return func(next http.Handler) http.Handler {
		named := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r)
			if route := routeOf(r); route != unmatched {
				span := trace.SpanFromContext(r.Context())
				span.SetAttributes(semconv.HTTPRoute(route))
			}
		})
		return otelhttp.NewHandler(named, "http.server",
			otelhttp.WithTracerProvider(tp),
			otelhttp.WithPropagators(prop),
		)
	}
}

// outboundTransport is the RoundTripper of the app's HTTP client: a client span per call,
// and the traceparent header that lets the next service continue the trace.
func outboundTransport(tp trace.TracerProvider, prop propagation.TextMapPropagator) http.RoundTripper {
	return otelhttp.NewTransport(http.DefaultTransport,
		otelhttp.WithTracerProvider(tp),
		otelhttp.WithPropagators(prop),
	)
}
