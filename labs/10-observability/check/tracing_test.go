//go:build labcheck

package main

import (
	"fmt"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// Task tracing: a server span per request, a client span per outbound call, traceparent in
// and out.

func labDescribeSpans(spans tracetest.SpanStubs) string {
	if len(spans) == 0 {
		return "    (no spans)"
	}
	var lines []string
	for _, s := range spans {
		lines = append(lines, fmt.Sprintf("    %q kind=%s trace=%s span=%s parent=%s status=%s %s",
			s.Name, s.SpanKind, s.SpanContext.TraceID(), s.SpanContext.SpanID(), s.Parent.SpanID(), s.Status.Code, labAttrs(s.Attributes)))
	}
	return strings.Join(lines, "\n")
}

func labAttrs(kvs []attribute.KeyValue) string {
	var parts []string
	for _, kv := range kvs {
		if kv.Key == "http.route" || kv.Key == "http.response.status_code" || kv.Key == "url.full" || kv.Key == "url.path" {
			parts = append(parts, fmt.Sprintf("%s=%s", kv.Key, kv.Value.Emit()))
		}
	}
	return strings.Join(parts, " ")
}

func labAttr(s tracetest.SpanStub, key string) (attribute.Value, bool) {
	for _, kv := range s.Attributes {
		if string(kv.Key) == key {
			return kv.Value, true
		}
	}
	return attribute.Value{}, false
}

func labSpansOfKind(spans tracetest.SpanStubs, kind trace.SpanKind) tracetest.SpanStubs {
	var out tracetest.SpanStubs
	for _, s := range spans {
		if s.SpanKind == kind {
			out = append(out, s)
		}
	}
	return out
}

// labServerSpan returns the one server span recorded, or stops the test.
func (a *labApp) serverSpan(e *labExchange) tracetest.SpanStub {
	a.t.Helper()
	spans := a.spans.GetSpans()
	servers := labSpansOfKind(spans, trace.SpanKindServer)
	if len(servers) != 1 {
		e.fail(fmt.Sprintf("got %d finished server spans, want exactly 1 for this request\nspans recorded by cfg.TracerProvider:\n%s", len(servers), labDescribeSpans(spans)),
			"tracing(tp, prop) (tracing.go): otelhttp.NewHandler(next, \"http.server\", otelhttp.WithTracerProvider(tp), otelhttp.WithPropagators(prop)); use the provider of the Config, not otel's global one")
	}
	return servers[0]
}

func TestServerSpanForEachRequest(t *testing.T) {
	a := newLabApp(t, "tracing", nil)
	e := a.get("/api/v1/rates/EUR")
	e.wantStatus(200)
	s := a.serverSpan(e)
	all := labDescribeSpans(a.spans.GetSpans())
	if want := "GET " + labRatesRoute; s.Name != want {
		e.fail(fmt.Sprintf("the server span is named %q, want %q (method and route: every EUR, GBP... groups into one operation)\nspans:\n%s", s.Name, want, all),
			"the route is known only after the mux ran: after next.ServeHTTP, trace.SpanFromContext(r.Context()).SetName(r.Method + \" \" + routeOf(r)); otelhttp ends the span after that")
	}
	if v, ok := labAttr(s, "http.route"); !ok || v.AsString() != labRatesRoute {
		e.fail(fmt.Sprintf("the server span has http.route=%q, want %q\nspans:\n%s", v.Emit(), labRatesRoute, all),
			"span.SetAttributes(semconv.HTTPRoute(route)) (go.opentelemetry.io/otel/semconv/v1.43.0), next to SetName")
	}
	if v, ok := labAttr(s, "http.response.status_code"); !ok || v.AsInt64() != 200 {
		e.fail(fmt.Sprintf("the server span has http.response.status_code=%s, want 200\nspans:\n%s", v.Emit(), all),
			"otelhttp.NewHandler records the status for you")
	}
	if s.Parent.IsValid() {
		e.fail(fmt.Sprintf("the request came without traceparent, yet the server span has parent %s: want a new trace (a root span)\nspans:\n%s", s.Parent.SpanID(), all))
	}

	a.spans.Reset()
	e = a.get("/healthz")
	e.wantStatus(200)
	if s := a.serverSpan(e); s.Name != "GET /healthz" {
		e.fail(fmt.Sprintf("the server span is named %q, want \"GET /healthz\"", s.Name))
	}
}

func TestOutboundCallIsAChildSpan(t *testing.T) {
	a := newLabApp(t, "tracing", nil)
	e := a.get("/api/v1/rates/EUR")
	e.wantStatus(200)
	server := a.serverSpan(e)
	spans := a.spans.GetSpans()
	all := labDescribeSpans(spans)
	clients := labSpansOfKind(spans, trace.SpanKindClient)
	if len(clients) != 1 {
		e.fail(fmt.Sprintf("got %d client spans, want 1 for the call to the rates service\nspans:\n%s", len(clients), all),
			"outboundTransport(tp, prop) (tracing.go) is the Transport of the app's http.Client: otelhttp.NewTransport(http.DefaultTransport, otelhttp.WithTracerProvider(tp), otelhttp.WithPropagators(prop))")
	}
	c := clients[0]
	if c.SpanContext.TraceID() != server.SpanContext.TraceID() || c.Parent.SpanID() != server.SpanContext.SpanID() {
		e.fail(fmt.Sprintf("the client span (trace %s, parent %s) is not a child of the server span (trace %s, span %s)\nspans:\n%s",
			c.SpanContext.TraceID(), c.Parent.SpanID(), server.SpanContext.TraceID(), server.SpanContext.SpanID(), all),
			"the outbound request is made with r.Context() (rates.go does it): the server span must be in that context, so otelhttp.NewHandler must wrap the handlers")
	}
	got := a.up.received()
	want := fmt.Sprintf("00-%s-%s-01", c.SpanContext.TraceID(), c.SpanContext.SpanID())
	if len(got) != 1 || got[0] != want {
		e.fail(fmt.Sprintf("the rates service received traceparent %q, want %q (this trace, the client span as parent)\nspans:\n%s", got, want, all),
			"otelhttp.NewTransport injects traceparent with the propagator you give it: otelhttp.WithPropagators(prop)")
	}
}

func TestTraceparentIsContinued(t *testing.T) {
	a := newLabApp(t, "tracing", nil)
	const traceID, parentID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	e := a.get("/api/v1/rates/EUR", "Traceparent", "00-"+traceID+"-"+parentID+"-01")
	e.wantStatus(200)
	s := a.serverSpan(e)
	all := labDescribeSpans(a.spans.GetSpans())
	if s.SpanContext.TraceID().String() != traceID || s.Parent.SpanID().String() != parentID || !s.Parent.IsRemote() {
		e.fail(fmt.Sprintf("the server span has trace %s and parent %s (remote: %v), want trace %s and the remote parent %s from the traceparent header\nspans:\n%s",
			s.SpanContext.TraceID(), s.Parent.SpanID(), s.Parent.IsRemote(), traceID, parentID, all),
			"otelhttp.WithPropagators(prop): the handler extracts the caller's context from the headers with the propagator of the Config")
	}
	got := a.up.received()
	if len(got) != 1 || !strings.HasPrefix(got[0], "00-"+traceID+"-") {
		e.fail(fmt.Sprintf("the rates service received traceparent %q, want the same trace: \"00-%s-<client span>-01\"\nspans:\n%s", got, traceID, all),
			"one trace from the first caller to the last service: the outbound Transport must inject it")
	}
}

func TestFailedRequestSpanIsError(t *testing.T) {
	a := newLabApp(t, "tracing", nil)
	e := a.get("/api/v1/rates/XTS")
	e.wantStatus(502)
	s := a.serverSpan(e)
	all := labDescribeSpans(a.spans.GetSpans())
	if s.Status.Code != codes.Error {
		e.fail(fmt.Sprintf("the server span of a 502 has status %s, want Error\nspans:\n%s", s.Status.Code, all),
			"otelhttp.NewHandler sets Error on 5xx if it sees the status: do not hide the ResponseWriter from it")
	}
	if v, ok := labAttr(s, "http.response.status_code"); !ok || v.AsInt64() != 502 {
		e.fail(fmt.Sprintf("the server span has http.response.status_code=%s, want 502\nspans:\n%s", v.Emit(), all))
	}
	clients := labSpansOfKind(a.spans.GetSpans(), trace.SpanKindClient)
	if len(clients) != 1 {
		e.fail(fmt.Sprintf("got %d client spans, want 1 for the failed call to the rates service\nspans:\n%s", len(clients), all))
	}
	if v, ok := labAttr(clients[0], "http.response.status_code"); !ok || v.AsInt64() != 500 {
		e.fail(fmt.Sprintf("the client span has http.response.status_code=%s, want 500 (what the rates service answered)\nspans:\n%s", v.Emit(), all))
	}
}
