//go:build labcheck

package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/getsentry/sentry-go"
)

// reportErrors turns a panic into a 500 and reports panics and 5xx responses to Sentry
// through client (nothing is reported when client is nil), each event with the request
// (method, URL, headers) and the tags route, request_id and status, and without secrets
// (scrubEvent runs on every event).
func reportErrors(client *sentry.Client) Middleware {
	return func(next http.Handler) http.Handler {
		if client == nil {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hub := sentry.NewHub(client, sentry.NewScope())
			hub.Scope().SetRequest(r)
			hub.Scope().AddEventProcessor(scrubEvent)
			r = r.WithContext(sentry.SetHubOnContext(r.Context(), hub))
			rec := newStatusRecorder(w)
			capture := func(status int, err error) {
				h := hub.Clone() // its own scope: the tags stay with this event
				h.Scope().SetTags(map[string]string{
					"route":      routeOf(r),
					"request_id": requestIDFrom(r.Context()),
					"status":     strconv.Itoa(status),
				})
				h.CaptureException(err)
			}
			defer func() {
				if v := recover(); v != nil {
					if v == http.ErrAbortHandler {
						panic(v)
					}
					err := fmt.Errorf("panic: %v", v)
					setError(r, err)
					capture(http.StatusInternalServerError, err)
					writeError(rec, http.StatusInternalServerError, "internal server error")
				}
			}()
			next.ServeHTTP(rec, r)
			if status := rec.Status(); status >= 500 {
				err := errorOf(r)
				if err == nil {
					err = fmt.Errorf("%s %s answered %d", r.Method, routeOf(r), status)
				}
				capture(status, err)
			}
		})
	}
}

func tagRequest(scope *sentry.Scope, r *http.Request, status int) {
	scope.SetTag("route", routeOf(r))
	scope.SetTag("request_id", requestIDFrom(r.Context()))
	scope.SetTag("status", strconv.Itoa(status))
}

const filtered = "[Filtered]"

// scrubEvent removes secrets from an event before it leaves the process: the
// Authorization, Proxy-Authorization and Cookie headers (any case), the cookies, and the value
// of every key containing "password", "secret" or "token" in the request body (the top level
// of a JSON object) and in the event's contexts. It keeps everything else.
func scrubEvent(event *sentry.Event, _ *sentry.EventHint) *sentry.Event {
	if event == nil {
		return nil
	}
	if req := event.Request; req != nil {
		kept := make(map[string]string, len(req.Headers))
		for name, value := range req.Headers {
			switch http.CanonicalHeaderKey(name) {
			case "Authorization", "Proxy-Authorization", "Cookie":
				continue
			}
			kept[name] = value
		}
		req.Headers = kept
		req.Cookies = ""
		req.Data = scrubBody(req.Data)
	}
	for _, c := range event.Contexts {
		for k := range c {
			if secretKey(k) {
				c[k] = filtered
			}
		}
	}
	return event
}

func secretKey(k string) bool {
	k = strings.ToLower(k)
	return strings.Contains(k, "password") || strings.Contains(k, "secret") || strings.Contains(k, "token")
}

// scrubBody filters the secret keys of a JSON object body; a body that is not a JSON object
// is dropped when it mentions a secret at all.
func scrubBody(data string) string {
	if data == "" {
		return data
	}
	var obj map[string]any
	if err := json.Unmarshal([]byte(data), &obj); err != nil {
		if secretKey(data) {
			return filtered
		}
		return data
	}
	for k := range obj {
		if secretKey(k) {
			obj[k] = filtered
		}
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return filtered
	}
	return string(b)
}
