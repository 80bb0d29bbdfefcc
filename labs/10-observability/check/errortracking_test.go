//go:build labcheck

package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/getsentry/sentry-go"
)

// Task error-tracking: panics and 5xx reported to Sentry, with the request and without secrets.

const labReportHint = "reportErrors(client) (errortracking.go): hub := sentry.NewHub(client, sentry.NewScope()) per request, hub.Scope().SetRequest(r); after next returns with a status >= 500, hub.CaptureException(errorOf(r)); on a panic, hub.RecoverWithContext(r.Context(), v). Use the client of the Config, never sentry.CurrentHub()"

func labEventJSON(e *sentry.Event) string {
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Sprintf("(event does not marshal: %v)", err)
	}
	return string(b)
}

func labDescribeEvents(events []*sentry.Event) string {
	if len(events) == 0 {
		return "    (no events)"
	}
	var lines []string
	for _, e := range events {
		lines = append(lines, "    "+labClip(labEventJSON(e), 1500))
	}
	return strings.Join(lines, "\n")
}

// labEventText is what an event says happened: its message and exception values.
func labEventText(e *sentry.Event) string {
	parts := []string{e.Message}
	for _, ex := range e.Exception {
		parts = append(parts, ex.Type+": "+ex.Value)
	}
	return strings.Join(parts, " | ")
}

// labOneEvent returns the single error event recorded, or stops the test.
func (a *labApp) oneEvent(e *labExchange) *sentry.Event {
	a.t.Helper()
	events := a.events.errorEvents()
	if len(events) != 1 {
		e.fail(fmt.Sprintf("the Sentry client of the Config received %d events, want exactly 1\nevents:\n%s", len(events), labDescribeEvents(events)), labReportHint)
	}
	return events[0]
}

// labCheckRequestContext checks what makes an event useful: the request and the tags.
func labCheckRequestContext(e *labExchange, ev *sentry.Event, route, requestID, status string) {
	e.t.Helper()
	var bad []string
	if ev.Request == nil {
		bad = append(bad, "request: missing, want the method and URL of the request (hub.Scope().SetRequest(r))")
	} else {
		if ev.Request.Method != e.method {
			bad = append(bad, fmt.Sprintf("request.method: got %q, want %q", ev.Request.Method, e.method))
		}
		if !strings.HasSuffix(ev.Request.URL, strings.SplitN(e.target, "?", 2)[0]) {
			bad = append(bad, fmt.Sprintf("request.url: got %q, want the URL ending in %s", ev.Request.URL, e.target))
		}
	}
	for k, v := range map[string]string{"route": route, "request_id": requestID, "status": status} {
		if ev.Tags[k] != v {
			bad = append(bad, fmt.Sprintf("tags.%s: got %q, want %q", k, ev.Tags[k], v))
		}
	}
	if len(bad) > 0 {
		e.fail(fmt.Sprintf("the Sentry event lacks the request's context:\n    %s\nevent: %s", strings.Join(bad, "\n    "), labClip(labEventJSON(ev), 1500)),
			"in hub.WithScope(func(scope *sentry.Scope) {...}): scope.SetTag(\"route\", routeOf(r)), scope.SetTag(\"request_id\", requestIDFrom(r.Context())), scope.SetTag(\"status\", strconv.Itoa(status)), then capture")
	}
}

func TestPanicBecomes500AndIsReported(t *testing.T) {
	a := newLabApp(t, "error-tracking", nil)
	e := a.get("/debug/panic", "X-Request-ID", "req-panic-1")
	e.wantStatus(500, "reportErrors recovers the panic and answers writeError(w, 500, \"internal server error\")")
	if strings.Contains(string(e.body), "deliberate") {
		e.fail("the response shows the panic's message: want a generic {\"error\":\"internal server error\"}, the details go to Sentry")
	}
	ev := a.oneEvent(e)
	if !strings.Contains(labEventText(ev), "deliberate panic") {
		e.fail(fmt.Sprintf("the event says %q, want the panic value (\"debug: deliberate panic to test error reporting\")\nevent: %s", labEventText(ev), labClip(labEventJSON(ev), 1500)),
			"hub.RecoverWithContext(r.Context(), v) with the value recover() returned")
	}
	labCheckRequestContext(e, ev, "/debug/panic", "req-panic-1", "500")

	// The app goes on serving.
	e = a.get("/healthz")
	e.wantStatus(200)
	if n := len(a.events.errorEvents()); n != 1 {
		e.fail(fmt.Sprintf("after a 200, the client has %d events, want still 1", n))
	}
}

func TestUpstream5xxIsReported(t *testing.T) {
	a := newLabApp(t, "error-tracking", nil)
	e := a.get("/api/v1/rates/XTS", "X-Request-ID", "req-5xx-1")
	e.wantStatus(502)
	ev := a.oneEvent(e)
	if !strings.Contains(labEventText(ev), "status 500") {
		e.fail(fmt.Sprintf("the event says %q, want the cause the handler recorded (\"rates upstream: GET /rates/XTS: status 500\")\nevent: %s", labEventText(ev), labClip(labEventJSON(ev), 1500)),
			"hub.CaptureException(errorOf(r)): the error the handler gave fail()")
	}
	labCheckRequestContext(e, ev, labRatesRoute, "req-5xx-1", "502")
}

func TestClientErrorsAreNotReported(t *testing.T) {
	a := newLabApp(t, "error-tracking", nil)
	var sent []string
	for _, c := range []struct {
		target string
		status int
	}{
		{"/api/v1/rates/ZZZ", 404},
		{"/api/v1/rates/E1", 400},
		{"/no/such/page", 404},
		{"/healthz", 200},
		{"/api/v1/rates/EUR", 200},
		{"/api/v1/rates/XTS", 502}, // the one to report
	} {
		a.get(c.target).wantStatus(c.status)
		sent = append(sent, fmt.Sprintf("GET %s → %d", c.target, c.status))
	}
	events := a.events.errorEvents()
	if len(events) != 1 {
		t.Fatalf("sent:\n    %s\nthe Sentry client received %d events, want 1 (for the 502 only: a 4xx is the client's mistake, not a bug to fix)\nevents:\n%s\nhint: %s",
			strings.Join(sent, "\n    "), len(events), labDescribeEvents(events), labReportHint)
	}
}

// labSecrets are planted in requests and events: none may reach Sentry.
var labSecrets = []string{"tok-SECRET-1", "ck-SECRET-2", "pw-SECRET-3", "sk-SECRET-4"}

func TestSentryEventsCarryNoSecrets(t *testing.T) {
	a := newLabApp(t, "error-tracking", nil)
	headers := []string{
		"Authorization", "Bearer tok-SECRET-1",
		"Cookie", "session=ck-SECRET-2",
		"X-Request-ID", "req-secret-1",
	}
	e := a.get("/debug/panic", headers...)
	e.wantStatus(500)
	e2 := a.get("/api/v1/rates/XTS", headers...)
	e2.wantStatus(502)
	events := a.events.errorEvents()
	if len(events) != 2 {
		e2.fail(fmt.Sprintf("after GET /debug/panic and this request, the client received %d events, want 2\nevents:\n%s", len(events), labDescribeEvents(events)), labReportHint)
	}
	for _, ev := range events {
		js := labEventJSON(ev)
		for _, s := range labSecrets {
			if strings.Contains(js, s) {
				e.fail(fmt.Sprintf("a Sentry event holds the secret %q sent in a header:\n%s", s, labClip(js, 2000)),
					"hub.Scope().SetRequest(r) lets the SDK filter headers; do not copy r.Header into the event yourself. And hub.Scope().AddEventProcessor(scrubEvent) as a second line of defence")
			}
		}
		if ev.Request == nil || ev.Request.Headers["X-Request-Id"] != "req-secret-1" && ev.Tags["request_id"] != "req-secret-1" {
			e.fail(fmt.Sprintf("the event lost the request's context along with its secrets: want the request (with its harmless headers) and the tag request_id=req-secret-1\nevent: %s", labClip(js, 1500)))
		}
	}
}

func TestScrubEventRemovesSecrets(t *testing.T) {
	ev := &sentry.Event{
		Message: "rates upstream: status 500",
		Request: &sentry.Request{
			URL:    "http://example.com/api/v1/login",
			Method: "POST",
			Headers: map[string]string{
				"Authorization":       "Bearer tok-SECRET-1",
				"Proxy-Authorization": "Basic tok-SECRET-1",
				"cookie":              "session=ck-SECRET-2",
				"Content-Type":        "application/json",
				"X-Request-Id":        "req-scrub-1",
			},
			Cookies: "session=ck-SECRET-2",
			Data:    `{"username":"ada","password":"pw-SECRET-3"}`,
		},
		Contexts: map[string]sentry.Context{
			"login": {"username": "ada", "password": "pw-SECRET-3", "api_secret": "sk-SECRET-4", "attempt": 3},
		},
	}
	call := "scrubEvent(event, nil) on an event with Authorization, Proxy-Authorization and cookie headers, Cookies, a JSON body with a password, and a context with password and api_secret"
	var out *sentry.Event
	labGuard(t, "scrubEvent(event, nil)", func() { out = scrubEvent(ev, nil) })
	if out == nil {
		t.Fatalf("%s: returned nil, which drops the event: want the event, cleaned", call)
	}
	js := labEventJSON(out)
	for _, s := range labSecrets {
		if strings.Contains(js, s) {
			t.Fatalf("%s: the result still holds %q:\n%s\nhint: delete the Authorization, Proxy-Authorization and Cookie headers (compare names with strings.EqualFold: the map may have any case), empty Request.Cookies, and replace the values of keys containing password, secret or token in Request.Data (a JSON object: json.Unmarshal, change, json.Marshal) and in every Contexts map with \"[Filtered]\"",
				call, s, labClip(js, 2000))
		}
	}
	var bad []string
	if out.Request == nil {
		bad = append(bad, "request: gone, want it kept without its secrets")
	} else {
		if out.Request.Headers["X-Request-Id"] != "req-scrub-1" || out.Request.Headers["Content-Type"] != "application/json" {
			bad = append(bad, fmt.Sprintf("request.headers: got %v, want X-Request-Id and Content-Type kept", out.Request.Headers))
		}
		var body map[string]any
		if err := json.Unmarshal([]byte(out.Request.Data), &body); err != nil || body["username"] != "ada" {
			bad = append(bad, fmt.Sprintf("request.data: got %q, want a JSON object that still has \"username\":\"ada\"", out.Request.Data))
		}
		if out.Request.Method != "POST" || out.Request.URL != "http://example.com/api/v1/login" {
			bad = append(bad, "request.method and request.url: want them kept")
		}
	}
	if c := out.Contexts["login"]; c == nil || c["username"] != "ada" || fmt.Sprint(c["attempt"]) != "3" {
		bad = append(bad, fmt.Sprintf("contexts.login: got %v, want username and attempt kept", c))
	}
	if out.Message != "rates upstream: status 500" {
		bad = append(bad, fmt.Sprintf("message: got %q, want it unchanged", out.Message))
	}
	if len(bad) > 0 {
		t.Fatalf("%s: the secrets are gone, but so is useful context:\n    %s\nresult: %s", call, strings.Join(bad, "\n    "), labClip(js, 2000))
	}
}
