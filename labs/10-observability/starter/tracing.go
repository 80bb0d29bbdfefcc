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
// TODO(tracing): a server span per request from tp, continuing the traceparent read with prop;
// once the route is known (after the mux ran), its name and http.route follow it, except for
// "unmatched" requests.
func tracing(tp trace.TracerProvider, prop propagation.TextMapPropagator) Middleware {
	return func(next http.Handler) http.Handler {
		return next
	}
}

// outboundTransport is the RoundTripper of the app's HTTP client: a client span per call,
// and the traceparent header that lets the next service continue the trace.
//
// TODO(tracing): a client span per outgoing call, child of the request's span, with its
// traceparent injected: from tp and prop, not otel's globals.
func outboundTransport(tp trace.TracerProvider, prop propagation.TextMapPropagator) http.RoundTripper {
	return http.DefaultTransport
}
