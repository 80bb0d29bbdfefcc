//go:build labcheck

package main

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
)

// Task alerts-and-dashboards: monitoring/alerts.yml loaded with Prometheus' own rule loader,
// monitoring/dashboard.json with its queries parsed as PromQL.

const (
	labAlertsFile    = "monitoring/alerts.yml"
	labDashboardFile = "monitoring/dashboard.json"
	labBucketName    = "http_request_duration_seconds_bucket"
)

var labAppMetrics = []string{labCounterName, labBucketName, labHistogramName + "_sum", labHistogramName + "_count"}

func labPromQL() parser.Parser { return parser.NewParser(parser.Options{}) }

// labAlert is one alerting rule of the file, with its parsed expression.
type labAlert struct {
	group string
	rule  rulefmt.Rule
	expr  parser.Expr
}

func (a labAlert) String() string {
	return fmt.Sprintf("%s: group %q, alert %q, expr: %s", labAlertsFile, a.group, a.rule.Alert, strings.TrimSpace(a.rule.Expr))
}

// labLoadAlerts loads the rule file as Prometheus does and returns its alerting rules.
func labLoadAlerts(t *testing.T) []labAlert {
	t.Helper()
	data, err := os.ReadFile(labAlertsFile)
	if err != nil {
		t.Fatalf("%s: %v\nhint: the file is part of the lab, next to main.go: monitoring/alerts.yml", labAlertsFile, err)
	}
	groups, errs := rulefmt.Parse(data, false, model.UTF8Validation, labPromQL(), slog.New(slog.DiscardHandler))
	if len(errs) > 0 {
		var msgs []string
		for _, e := range errs {
			msgs = append(msgs, e.Error())
		}
		t.Fatalf("%s does not load in Prometheus (rulefmt.Parse, what `promtool check rules` runs):\n    %s", labAlertsFile, strings.Join(msgs, "\n    "))
	}
	var out []labAlert
	for _, g := range groups.Groups {
		for _, r := range g.Rules {
			if r.Alert == "" {
				continue // a recording rule
			}
			expr, err := labPromQL().ParseExpr(r.Expr)
			if err != nil {
				t.Fatalf("%s: group %q, alert %q: expr does not parse: %v", labAlertsFile, g.Name, r.Alert, err)
			}
			out = append(out, labAlert{group: g.Name, rule: r, expr: expr})
		}
	}
	return out
}

// labSelectorName is the metric name a selector selects, from its name or a __name__ matcher.
func labSelectorName(vs *parser.VectorSelector) string {
	if vs.Name != "" {
		return vs.Name
	}
	for _, m := range vs.LabelMatchers {
		if m.Name == labels.MetricName && m.Type == labels.MatchEqual {
			return m.Value
		}
	}
	return ""
}

// labUses reports whether expr selects one of the metrics.
func labUses(expr parser.Node, metrics ...string) bool {
	found := false
	parser.Inspect(expr, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok && slices.Contains(metrics, labSelectorName(vs)) {
			found = true
		}
		return nil
	})
	return found
}

// labRated returns the selectors of metric that are the argument of rate(), irate() or
// increase() in expr.
func labRated(expr parser.Node, metric string) []*parser.VectorSelector {
	var out []*parser.VectorSelector
	parser.Inspect(expr, func(n parser.Node, _ []parser.Node) error {
		call, ok := n.(*parser.Call)
		if !ok || len(call.Args) == 0 {
			return nil
		}
		switch call.Func.Name {
		case "rate", "irate", "increase":
		default:
			return nil
		}
		if ms, ok := call.Args[0].(*parser.MatrixSelector); ok {
			if vs, ok := ms.VectorSelector.(*parser.VectorSelector); ok && labSelectorName(vs) == metric {
				out = append(out, vs)
			}
		}
		return nil
	})
	return out
}

// labMatches reports whether the selector keeps a series whose label has the value.
func labMatches(vs *parser.VectorSelector, label, value string) bool {
	for _, m := range vs.LabelMatchers {
		if m.Name == label && !m.Matches(value) {
			return false
		}
	}
	return true
}

// labIs5xx: the selector keeps 500 and 503, and drops 200 and 404.
func labIs5xx(vs *parser.VectorSelector) bool {
	return labMatches(vs, "status", "500") && labMatches(vs, "status", "503") &&
		!labMatches(vs, "status", "200") && !labMatches(vs, "status", "404")
}

func labUnparen(e parser.Expr) parser.Expr {
	for {
		p, ok := e.(*parser.ParenExpr)
		if !ok {
			return e
		}
		e = p.Expr
	}
}

// labThreshold returns the number an expression is compared with at its top.
func labThreshold(e parser.Expr) (float64, bool) {
	b, ok := labUnparen(e).(*parser.BinaryExpr)
	if !ok || !b.Op.IsComparisonOperator() {
		return 0, false
	}
	if n, ok := labUnparen(b.RHS).(*parser.NumberLiteral); ok {
		return n.Val, true
	}
	if n, ok := labUnparen(b.LHS).(*parser.NumberLiteral); ok {
		return n.Val, true
	}
	return 0, false
}

// labErrorRatioProblems says what an error-rate expression lacks; none when it is right.
func labErrorRatioProblems(expr parser.Expr, alert bool) []string {
	var problems []string
	var fivexx []*parser.VectorSelector
	for _, vs := range labRated(expr, labCounterName) {
		if labIs5xx(vs) {
			fivexx = append(fivexx, vs)
		}
	}
	if len(fivexx) == 0 {
		p := `no rate() over http_requests_total filtered to the 5xx statuses, like rate(http_requests_total{status=~"5.."}[5m])`
		for _, vs := range labRated(expr, labCounterName) {
			if labMatches(vs, "status", "500") && !labMatches(vs, "status", "503") {
				p += fmt.Sprintf(`; %s keeps only some 5xx (503, 502... are server errors too): use status=~"5.."`, vs)
			}
		}
		problems = append(problems, p)
	} else {
		divided := false
		parser.Inspect(expr, func(n parser.Node, _ []parser.Node) error {
			b, ok := n.(*parser.BinaryExpr)
			if !ok || b.Op != parser.DIV {
				return nil
			}
			num := false
			for _, vs := range labRated(b.LHS, labCounterName) {
				num = num || labIs5xx(vs)
			}
			den := false
			for _, vs := range labRated(b.RHS, labCounterName) {
				den = den || (labMatches(vs, "status", "200") && labMatches(vs, "status", "500"))
			}
			divided = divided || (num && den)
			return nil
		})
		if !divided {
			problems = append(problems, `the 5xx rate is not divided by the rate of all requests (sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))): a raw count of errors means something else at 3 a.m. and at noon`)
		}
	}
	if alert {
		v, ok := labThreshold(expr)
		switch {
		case !ok:
			problems = append(problems, "the expression is not compared with a number at its top (… > 0.05): without a threshold the alert fires whenever there is a series")
		case v <= 0 || v >= 1:
			problems = append(problems, fmt.Sprintf("the threshold is %g: a ratio of 5xx to all requests lies between 0 and 1 (0.05 is 5%%)", v))
		}
	}
	return problems
}

// labLatencyProblems says what a latency-quantile expression lacks; none when it is right.
func labLatencyProblems(expr parser.Expr, alert bool) []string {
	var problems []string
	var calls []*parser.Call
	parser.Inspect(expr, func(n parser.Node, _ []parser.Node) error {
		if c, ok := n.(*parser.Call); ok && c.Func.Name == "histogram_quantile" {
			calls = append(calls, c)
		}
		return nil
	})
	if len(calls) == 0 {
		return append(problems, "no histogram_quantile(): a latency percentile comes from the buckets, like histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))")
	}
	c := calls[0]
	if len(c.Args) == 2 {
		if n, ok := labUnparen(c.Args[0]).(*parser.NumberLiteral); !ok || n.Val <= 0 || n.Val >= 1 {
			problems = append(problems, fmt.Sprintf("histogram_quantile's first argument is %s: want the quantile, a number between 0 and 1 (0.95 for p95)", c.Args[0]))
		}
		if len(labRated(c.Args[1], labBucketName)) == 0 {
			problems = append(problems, "histogram_quantile's second argument has no rate() over http_request_duration_seconds_bucket: the quantile is computed from the rate of each bucket")
		}
		parser.Inspect(c.Args[1], func(n parser.Node, _ []parser.Node) error {
			agg, ok := n.(*parser.AggregateExpr)
			if !ok {
				return nil
			}
			keeps := slices.Contains(agg.Grouping, "le")
			if agg.Without {
				keeps = !keeps
			}
			if !keeps {
				problems = append(problems, fmt.Sprintf("%s drops the le label: histogram_quantile needs one series per bucket, so aggregate with by (le) (or by (le, route))", strings.TrimSpace(agg.ShortString())))
			}
			return nil
		})
	}
	if alert {
		v, ok := labThreshold(expr)
		switch {
		case !ok:
			problems = append(problems, "the expression is not compared with a number at its top (… > 0.5): without a threshold the alert fires whenever there is a series")
		case v <= 0 || v > 60:
			problems = append(problems, fmt.Sprintf("the threshold is %g: the histogram is in seconds, so 500 ms is 0.5", v))
		}
	}
	return problems
}

// labPickAlert finds the alert that passes check among those using metric, or stops the
// test naming each candidate and what is wrong with it.
func labPickAlert(t *testing.T, alerts []labAlert, metric, what, example string, check func(parser.Expr, bool) []string) {
	t.Helper()
	var report []string
	for _, a := range alerts {
		if !labUses(a.expr, metric) {
			continue
		}
		problems := check(a.expr, true)
		if len(problems) == 0 {
			return
		}
		report = append(report, fmt.Sprintf("%s\n    - %s", a, strings.Join(problems, "\n    - ")))
	}
	if len(report) == 0 {
		var names []string
		for _, a := range alerts {
			names = append(names, a.rule.Alert)
		}
		t.Fatalf("%s: no alerting rule uses %s (alerts: %v); want %s, like:\n%s", labAlertsFile, metric, names, what, example)
	}
	t.Fatalf("%s: want %s, and the rules that use %s are not right:\n%s\nwant something like:\n%s", labAlertsFile, what, metric, strings.Join(report, "\n"), example)
}

func TestAlertRulesFileIsValid(t *testing.T) {
	alerts := labLoadAlerts(t)
	if len(alerts) < 2 {
		t.Fatalf("%s loads, and has %d alerting rules: want at least 2 (an error-rate alert and a latency alert)", labAlertsFile, len(alerts))
	}
	for _, a := range alerts {
		var bad []string
		if time.Duration(a.rule.For) < time.Minute {
			bad = append(bad, fmt.Sprintf("for: %s, want at least 1m: a condition must hold for a while before anyone is woken up (one slow scrape is not an incident)", a.rule.For))
		}
		if strings.TrimSpace(a.rule.Labels["severity"]) == "" {
			bad = append(bad, "labels.severity is missing: Alertmanager routes on it (page someone, or open a ticket)")
		}
		if strings.TrimSpace(a.rule.Annotations["summary"]) == "" {
			bad = append(bad, "annotations.summary is missing: the one line the person on call reads first")
		}
		if !labUses(a.expr, labAppMetrics...) {
			bad = append(bad, fmt.Sprintf("the expression uses none of the app's metrics (%s)", strings.Join(labAppMetrics, ", ")))
		}
		if len(bad) > 0 {
			t.Fatalf("%s\n    - %s", a, strings.Join(bad, "\n    - "))
		}
	}
}

func TestErrorRateAlertRule(t *testing.T) {
	labPickAlert(t, labLoadAlerts(t), labCounterName, "an error-rate alert", `  - alert: HighErrorRate
    expr: sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) > 0.05`,
		labErrorRatioProblems)
}

func TestLatencyAlertRule(t *testing.T) {
	labPickAlert(t, labLoadAlerts(t), labBucketName, "a latency alert", `  - alert: HighLatency
    expr: histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m]))) > 0.5`,
		labLatencyProblems)
}

// The dashboard, as much of Grafana's JSON model as the tests read.
type labDashboard struct {
	Title  string     `json:"title"`
	Panels []labPanel `json:"panels"`
}

type labPanel struct {
	ID      int         `json:"id"`
	Title   string      `json:"title"`
	Type    string      `json:"type"`
	Targets []labTarget `json:"targets"`
	Panels  []labPanel  `json:"panels"` // the panels of a collapsed row
}

type labTarget struct {
	Expr  string `json:"expr"`
	RefID string `json:"refId"`
}

func (p labPanel) String() string {
	return fmt.Sprintf("%s: panel %q (id %d)", labDashboardFile, p.Title, p.ID)
}

// labGrafanaVar matches the interval variables Grafana fills in before it sends a query.
var labGrafanaVar = regexp.MustCompile(`\$\{__(rate_interval|interval|range)\}|\$__(rate_interval|interval|range)\b`)

// labQuery is one target of one panel, parsed.
type labQuery struct {
	panel labPanel
	ref   string
	expr  string
	ast   parser.Expr
}

func (q labQuery) String() string {
	return fmt.Sprintf("%s, target %s: %s", q.panel, q.ref, q.expr)
}

// labLoadDashboard decodes the dashboard and parses every query.
func labLoadDashboard(t *testing.T) (labDashboard, []labPanel, []labQuery) {
	t.Helper()
	data, err := os.ReadFile(labDashboardFile)
	if err != nil {
		t.Fatalf("%s: %v\nhint: the file is part of the lab, next to main.go: monitoring/dashboard.json", labDashboardFile, err)
	}
	var d labDashboard
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("%s is not a Grafana dashboard (JSON with a title and a panels array): %v", labDashboardFile, err)
	}
	if strings.TrimSpace(d.Title) == "" {
		t.Fatalf("%s: the dashboard has no title", labDashboardFile)
	}
	var panels []labPanel
	var walk func([]labPanel)
	walk = func(ps []labPanel) {
		for _, p := range ps {
			if p.Type == "row" {
				walk(p.Panels)
				continue
			}
			panels = append(panels, p)
		}
	}
	walk(d.Panels)

	var queries []labQuery
	for _, p := range panels {
		for i, tg := range p.Targets {
			ref := tg.RefID
			if ref == "" {
				ref = fmt.Sprintf("#%d", i+1)
			}
			q := labQuery{panel: p, ref: ref, expr: strings.TrimSpace(tg.Expr)}
			if q.expr == "" {
				t.Fatalf("%s, target %s: no expr: want a PromQL query", p, ref)
			}
			src := labGrafanaVar.ReplaceAllString(q.expr, "5m")
			if i := strings.IndexByte(src, '$'); i >= 0 {
				t.Fatalf("%s: the query uses the template variable %s: the tests fill in only $__rate_interval, $__interval and $__range; write the rest out", q, labClip(src[i:], 30))
			}
			ast, err := labPromQL().ParseExpr(src)
			if err != nil {
				t.Fatalf("%s\nis not valid PromQL: %v", q, err)
			}
			q.ast = ast
			queries = append(queries, q)
		}
	}
	return d, panels, queries
}

func TestDashboardQueriesUseTheMetrics(t *testing.T) {
	_, panels, queries := labLoadDashboard(t)
	withQueries := 0
	for _, p := range panels {
		if len(p.Targets) == 0 {
			continue
		}
		withQueries++
		if strings.TrimSpace(p.Title) == "" {
			t.Fatalf("%s: the panel has no title: say what it shows (\"Requests per second by route\")", p)
		}
	}
	if withQueries < 3 {
		t.Fatalf("%s has %d panels with queries, want at least 3: traffic, errors and latency", labDashboardFile, withQueries)
	}
	for _, q := range queries {
		if !labUses(q.ast, labAppMetrics...) {
			t.Fatalf("%s\nselects none of the app's metrics (%s): a panel of this dashboard should show this service", q, strings.Join(labAppMetrics, ", "))
		}
	}
}

func TestDashboardShowsTrafficErrorsLatency(t *testing.T) {
	_, _, queries := labLoadDashboard(t)
	var traffic, errorsPanel, latency bool
	var latencyProblems []string
	for _, q := range queries {
		rated := labRated(q.ast, labCounterName)
		if len(rated) > 0 {
			for _, vs := range rated {
				if labIs5xx(vs) {
					errorsPanel = true
				} else {
					traffic = true
				}
			}
		}
		if labUses(q.ast, labBucketName) {
			if p := labLatencyProblems(q.ast, false); len(p) == 0 {
				latency = true
			} else {
				latencyProblems = append(latencyProblems, fmt.Sprintf("%s\n    - %s", q, strings.Join(p, "\n    - ")))
			}
		}
	}
	var all []string
	for _, q := range queries {
		all = append(all, "    "+q.String())
	}
	listing := strings.Join(all, "\n")
	switch {
	case !traffic:
		t.Fatalf("%s: no panel shows the traffic, a rate() over http_requests_total, like sum by (route) (rate(http_requests_total[$__rate_interval]))\nthe queries:\n%s", labDashboardFile, listing)
	case !errorsPanel:
		t.Fatalf("%s: no panel shows the errors, a rate() over http_requests_total{status=~\"5..\"}, like sum(rate(http_requests_total{status=~\"5..\"}[$__rate_interval])) / sum(rate(http_requests_total[$__rate_interval]))\nthe queries:\n%s", labDashboardFile, listing)
	case !latency && len(latencyProblems) > 0:
		t.Fatalf("%s: no right latency panel:\n%s", labDashboardFile, strings.Join(latencyProblems, "\n"))
	case !latency:
		t.Fatalf("%s: no panel shows the latency, a histogram_quantile over http_request_duration_seconds_bucket, like histogram_quantile(0.95, sum by (le, route) (rate(http_request_duration_seconds_bucket[$__rate_interval])))\nthe queries:\n%s", labDashboardFile, listing)
	}
}
