//go:build labcheck

package main

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Task metrics: http_requests_total and http_request_duration_seconds on /metrics.

const (
	labCounterName   = "http_requests_total"
	labHistogramName = "http_request_duration_seconds"
	labRatesRoute    = "/api/v1/rates/{currency}"
)

// labScrape sends GET /metrics and parses the answer with the Prometheus text parser.
func (a *labApp) scrape() map[string]*dto.MetricFamily {
	a.t.Helper()
	e := a.get("/metrics")
	e.wantStatus(200, "GET /metrics serves the registry: metricsHandler(reg) in metrics.go, with promhttp.HandlerFor(reg, promhttp.HandlerOpts{})")
	ct := e.header.Get("Content-Type")
	if !strings.HasPrefix(ct, "text/plain") {
		e.fail(fmt.Sprintf("got Content-Type %q, want the Prometheus text format (text/plain; version=0.0.4)", ct),
			"promhttp.HandlerFor negotiates the format and sets the header: serve the registry with it rather than writing the text yourself")
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(e.body))
	if err != nil {
		e.fail(fmt.Sprintf("the body is not in the Prometheus exposition format: %v", err))
	}
	return fams
}

// labLabels is a series' labels as a map.
func labLabels(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, lp := range m.GetLabel() {
		out[lp.GetName()] = lp.GetValue()
	}
	return out
}

func labLabelString(l map[string]string) string {
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%q", k, l[k]))
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// labFamily returns the family name of type typ, or stops the test saying what there is.
func labFamily(t *testing.T, fams map[string]*dto.MetricFamily, name string, typ dto.MetricType, hint string) *dto.MetricFamily {
	t.Helper()
	f, ok := fams[name]
	if !ok {
		var names []string
		for n := range fams {
			names = append(names, n)
		}
		sort.Strings(names)
		t.Fatalf("GET /metrics: no metric named %s; the scrape has %d families: %s\nhint: %s",
			name, len(names), labClip(strings.Join(names, ", "), 500), hint)
	}
	if f.GetType() != typ {
		t.Fatalf("GET /metrics: %s is a %s, want a %s", name, f.GetType(), typ)
	}
	return f
}

// labAppSeries are the series of f, the ones of the /metrics route left out (the scrapes
// count themselves).
func labAppSeries(f *dto.MetricFamily) []*dto.Metric {
	var out []*dto.Metric
	for _, m := range f.GetMetric() {
		if labLabels(m)["route"] != "/metrics" {
			out = append(out, m)
		}
	}
	return out
}

// labFind returns the series of f whose method, route and status are those given.
func labFind(f *dto.MetricFamily, method, route, status string) *dto.Metric {
	for _, m := range f.GetMetric() {
		l := labLabels(m)
		if l["method"] == method && l["route"] == route && l["status"] == status {
			return m
		}
	}
	return nil
}

func labDescribe(ms []*dto.Metric, value func(*dto.Metric) string) string {
	if len(ms) == 0 {
		return "    (no series)"
	}
	var lines []string
	for _, m := range ms {
		lines = append(lines, fmt.Sprintf("    %s %s", labLabelString(labLabels(m)), value(m)))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func labCounterValue(m *dto.Metric) string { return fmt.Sprint(m.GetCounter().GetValue()) }

func labHistogramValue(m *dto.Metric) string {
	return fmt.Sprintf("count=%d sum=%g", m.GetHistogram().GetSampleCount(), m.GetHistogram().GetSampleSum())
}

// labTraffic is the requests the counter test sends, and the series they must produce.
var labTraffic = []struct {
	method, target string
	times          int
	status         int
}{
	{"GET", "/healthz", 3, 200},
	{"GET", "/api/v1/rates/EUR", 2, 200},
	{"GET", "/api/v1/rates/ZZZ", 1, 404},
	{"GET", "/api/v1/rates/XTS", 1, 502},
	{"GET", "/no/such/thing/42", 1, 404},
	{"BREW", "/healthz", 1, 405},
}

func TestMetricsEndpointServesPrometheusFormat(t *testing.T) {
	a := newLabApp(t, "metrics", nil)
	a.get("/healthz").wantStatus(200)
	fams := a.scrape()
	labFamily(t, fams, labCounterName, dto.MetricType_COUNTER,
		"newHTTPMetrics(reg) creates a prometheus.NewCounterVec named http_requests_total and registers it with reg.MustRegister")
	labFamily(t, fams, labHistogramName, dto.MetricType_HISTOGRAM,
		"newHTTPMetrics(reg) creates a prometheus.NewHistogramVec named http_request_duration_seconds and registers it with reg.MustRegister")
}

func TestRequestCounterLabelsRouteAndStatus(t *testing.T) {
	a := newLabApp(t, "metrics", nil)
	var sent []string
	for _, tr := range labTraffic {
		for range tr.times {
			a.serve(a.h, tr.method, tr.target).wantStatus(tr.status)
		}
		sent = append(sent, fmt.Sprintf("%d× %s %s → %d", tr.times, tr.method, tr.target, tr.status))
	}
	fams := a.scrape()
	f := labFamily(t, fams, labCounterName, dto.MetricType_COUNTER,
		"newHTTPMetrics(reg) creates a prometheus.NewCounterVec named http_requests_total with the labels method, route and status")
	series := labAppSeries(f)
	ctx := fmt.Sprintf("\nsent:\n    %s\nhttp_requests_total in GET /metrics (route=\"/metrics\" left out):\n%s",
		strings.Join(sent, "\n    "), labDescribe(series, labCounterValue))

	for _, m := range series {
		for name, v := range labLabels(m) {
			if strings.Contains(v, "EUR") || strings.Contains(v, "ZZZ") || strings.Contains(v, "XTS") || strings.Contains(v, "/no/such") {
				t.Fatalf("the series %s has the raw path in label %s: every currency, and every path a scanner tries, would make a new series%s\nhint: label with routeOf(r), the route pattern, after next.ServeHTTP returns", labLabelString(labLabels(m)), name, ctx)
			}
		}
	}
	// The method second: a raw path in route is the bigger leak, report it first.
	for _, m := range series {
		for _, v := range labLabels(m) {
			if v == "BREW" {
				t.Fatalf("the series %s has method=\"BREW\": a client can send any word as a method, and each would make a new series%s\nhint: keep the standard methods (GET, POST, ...) and use \"OTHER\" for the rest", labLabelString(labLabels(m)), ctx)
			}
		}
	}
	want := []struct {
		method, route, status string
		value                 float64
	}{
		{"GET", "/healthz", "200", 3},
		{"GET", labRatesRoute, "200", 2},
		{"GET", labRatesRoute, "404", 1},
		{"GET", labRatesRoute, "502", 1},
		{"GET", "unmatched", "404", 1},
		{"OTHER", "unmatched", "405", 1},
	}
	for _, w := range want {
		m := labFind(f, w.method, w.route, w.status)
		if m == nil {
			t.Fatalf("no series http_requests_total{method=%q,route=%q,status=%q}, want one with value %g%s\nhint: labels are method, route (routeOf(r), read after next.ServeHTTP) and status (strconv.Itoa of the status the handler sent: wrap w in newStatusRecorder)",
				w.method, w.route, w.status, w.value, ctx)
		}
		if got := m.GetCounter().GetValue(); got != w.value {
			t.Fatalf("http_requests_total{method=%q,route=%q,status=%q} is %g, want %g%s\nhint: Inc() once per request, after the handler returns", w.method, w.route, w.status, got, w.value, ctx)
		}
	}
	if len(series) != len(want) {
		t.Fatalf("http_requests_total has %d series, want exactly %d (one per method, route and status that was seen)%s", len(series), len(want), ctx)
	}
}

func TestDurationHistogramPerRoute(t *testing.T) {
	a := newLabApp(t, "metrics", nil)
	sent := []string{"2× GET /healthz → 200", "1× GET /api/v1/rates/EUR → 200", "1× GET /api/v1/rates/XTS → 502"}
	a.get("/healthz").wantStatus(200)
	a.get("/healthz").wantStatus(200)
	a.get("/api/v1/rates/EUR").wantStatus(200)
	a.get("/api/v1/rates/XTS").wantStatus(502)

	fams := a.scrape()
	f := labFamily(t, fams, labHistogramName, dto.MetricType_HISTOGRAM,
		"newHTTPMetrics(reg) creates a prometheus.NewHistogramVec named http_request_duration_seconds with the labels method, route and status")
	series := labAppSeries(f)
	ctx := fmt.Sprintf("\nsent:\n    %s\nhttp_request_duration_seconds in GET /metrics (route=\"/metrics\" left out):\n%s",
		strings.Join(sent, "\n    "), labDescribe(series, labHistogramValue))

	want := []struct {
		route, status string
		count         uint64
	}{
		{"/healthz", "200", 2},
		{labRatesRoute, "200", 1},
		{labRatesRoute, "502", 1},
	}
	for _, w := range want {
		m := labFind(f, "GET", w.route, w.status)
		if m == nil {
			t.Fatalf("no series http_request_duration_seconds{method=\"GET\",route=%q,status=%q}, want one with %d observation(s)%s\nhint: the histogram has the same labels as the counter", w.route, w.status, w.count, ctx)
		}
		h := m.GetHistogram()
		if h.GetSampleCount() != w.count {
			t.Fatalf("http_request_duration_seconds{method=\"GET\",route=%q,status=%q} has %d observations, want %d%s\nhint: Observe(time.Since(start).Seconds()) once per request", w.route, w.status, h.GetSampleCount(), w.count, ctx)
		}
		if s := h.GetSampleSum(); s < 0 || math.IsNaN(s) || s > 60 {
			t.Fatalf("http_request_duration_seconds{route=%q,status=%q} has sum %g: want seconds (a few milliseconds here), not %s%s",
				w.route, w.status, s, "nanoseconds or milliseconds", ctx)
		}
		var bounds []float64
		prev := uint64(0)
		for _, b := range h.GetBucket() {
			bounds = append(bounds, b.GetUpperBound())
			if b.GetCumulativeCount() < prev || b.GetCumulativeCount() > h.GetSampleCount() {
				t.Fatalf("the buckets of http_request_duration_seconds{route=%q} are not cumulative: %v", w.route, h.GetBucket())
			}
			prev = b.GetCumulativeCount()
		}
		if !slices.Contains(bounds, 0.5) {
			t.Fatalf("http_request_duration_seconds has the bucket bounds %v, want 0.5 among them: the latency alert's threshold (500 ms) must be a bucket boundary to be measured exactly%s\nhint: prometheus.DefBuckets has it", bounds, ctx)
		}
	}
}

func TestMetricsUseTheRegistryFromConfig(t *testing.T) {
	first := newLabApp(t, "metrics", nil)
	second := newLabApp(t, "metrics", nil) // a second app in the same process: no clash
	first.get("/healthz").wantStatus(200)
	first.get("/healthz").wantStatus(200)
	second.get("/healthz").wantStatus(200)

	for _, c := range []struct {
		name string
		a    *labApp
		want float64
	}{{"the first app", first, 2}, {"the second app", second, 1}} {
		fams := c.a.scrape()
		f := labFamily(t, fams, labCounterName, dto.MetricType_COUNTER,
			"metricsHandler(reg) must serve the registry it is given (promhttp.HandlerFor(reg, ...)), not the global one (promhttp.Handler())")
		m := labFind(f, "GET", "/healthz", "200")
		got := 0.0
		if m != nil {
			got = m.GetCounter().GetValue()
		}
		if got != c.want {
			t.Fatalf("two apps, each with its own registry: 2 requests to the first, 1 to the second; %s's GET /metrics says http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} is %g, want %g\nseries:\n%s\nhint: register on cfg.Registry and serve cfg.Registry; a package-level metric variable is shared by every app",
				c.name, got, c.want, labDescribe(labAppSeries(f), labCounterValue))
		}
	}
}
