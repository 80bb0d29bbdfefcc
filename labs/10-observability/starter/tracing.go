package main

import (
	"net/http"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// tracing starts a server span for every request, continuing the caller's trace when the
// request carries a traceparent header. The span is named "METHOD route" and carries the
// http.route attribute once the route is known.
//
// TODO(tracing): wrap next in otelhttp.NewHandler (go.opentelemetry.io/contrib/instrumentation/
// net/http/otelhttp) with otelhttp.WithTracerProvider(tp) and otelhttp.WithPropagators(prop).
// The route is known only after the mux has run: in a handler between otelhttp and next,
// after next.ServeHTTP returns, rename the span (trace.SpanFromContext(r.Context()).SetName)
// and add semconv.HTTPRoute(route) (go.opentelemetry.io/otel/semconv/v1.43.0), unless the
// route is "unmatched".
func tracing(tp trace.TracerProvider, prop propagation.TextMapPropagator) Middleware {
	return func(next http.Handler) http.Handler {
		return next
	}
}

// outboundTransport is the RoundTripper of the app's HTTP client: a client span per call,
// and the traceparent header that lets the next service continue the trace.
//
// TODO(tracing): otelhttp.NewTransport(http.DefaultTransport, ...) with the same two options.
func outboundTransport(tp trace.TracerProvider, prop propagation.TextMapPropagator) http.RoundTripper {
	return http.DefaultTransport
}
