//go:build labcheck

package main

import (
	"fmt"
	"net/http"
	"testing"
)

// Task gateway: a reverse proxy in front of the users and orders services.

const labGatewayTODO = "TODO(gateway) in gateway.go: rewrite must address pr.Out to the service (scheme \"http\", host \"users\" or \"orders\") and strip /api from the path"

// labGatewayRouteHint says why a request the gateway should forward did not come back 200.
func labGatewayRouteHint(e *labExchange) string {
	switch {
	case e.status == http.StatusMovedPermanently || e.status == http.StatusTemporaryRedirect || e.status == http.StatusPermanentRedirect:
		return fmt.Sprintf("the redirect to %s comes from the ServeMux: with only the pattern \"/api/users/\" registered, it sends /api/users to /api/users/. Register the exact pattern too (\"/api/users\" and \"/api/users/\", the same for orders)", e.header.Get("Location"))
	case e.status == http.StatusNotFound:
		return "the gateway did not route this path: ServeMux patterns \"/api/users\" and \"/api/users/\" (the same for orders) go to the proxy"
	}
	return labGatewayTODO
}

func TestGatewayRoutesAndRewritesPaths(t *testing.T) {
	users, orders := newLabInstance(t, "users-1"), newLabInstance(t, "orders-1")
	gw := labNewGateway(t, newLabResolver(map[string][]string{"users": {users.url}, "orders": {orders.url}}), newLabClock())

	for _, tc := range []struct {
		method, target, body         string
		inst                         *labInstance
		wantPath, wantQuery, wantRaw string
	}{
		{"GET", "/api/users/42", "", users, "/users/42", "", ""},
		{"GET", "/api/users?active=true&page=2", "", users, "/users", "active=true&page=2", ""},
		{"GET", "/api/orders/o-7", "", orders, "/orders/o-7", "", ""},
		{"POST", "/api/orders", `{"user_id":"u1","item":"book"}`, orders, "/orders", "", ""},
		{"DELETE", "/api/users/u2/sessions/9", "", users, "/users/u2/sessions/9", "", ""},
		// A user id with an encoded slash: one path segment, "a/b", which must reach the
		// service still encoded (RawPath), or users sees /users/a/b, two segments.
		{"GET", "/api/users/a%2Fb", "", users, "/users/a/b", "", "/users/a%2Fb"},
	} {
		before := tc.inst.calls.Load()
		e := labDo(t, gw, tc.method, "http://shop.example"+tc.target, tc.body)
		e.wantStatus(http.StatusOK, labGatewayRouteHint(e))
		if got := tc.inst.calls.Load() - before; got != 1 {
			e.fail(fmt.Sprintf("the %s service received %d requests, want 1", tc.inst.name, got),
				"/api/users... goes to users and /api/orders... to orders: pick the service from the path's second segment")
		}
		seen, _ := tc.inst.last()
		if seen.Method != tc.method || seen.Path != tc.wantPath || seen.Query != tc.wantQuery {
			want := labSeen{Method: tc.method, Path: tc.wantPath, Query: tc.wantQuery}
			e.fail(fmt.Sprintf("the %s service received %s, want %s", tc.inst.name, seen, want),
				"strip the /api prefix from pr.Out.URL.Path (and RawPath), and leave the query alone")
		}
		if seen.RawPath != tc.wantRaw {
			e.fail(fmt.Sprintf("the %s service received the escaped path %q, want %q: %s is one segment with an encoded slash (%%2F), and it arrived as the separate segments %q",
				tc.inst.name, labOr(seen.RawPath, seen.Path), tc.wantRaw, tc.target, seen.Path),
				"the ReverseProxy sends pr.Out.URL.EscapedPath(), which uses RawPath when it is set: strip /api from pr.Out.URL.RawPath too, not only from Path")
		}
		if seen.Body != tc.body {
			e.fail(fmt.Sprintf("the %s service received the body %q, want %q", tc.inst.name, seen.Body, tc.body))
		}
	}

	// Only the two services: anything else is the gateway's own 404, and reaches nobody.
	for _, target := range []string{"/api/usersx/1", "/api/payments/1", "/users/42", "/"} {
		before := users.calls.Load() + orders.calls.Load()
		e := labDo(t, gw, "GET", "http://shop.example"+target, "")
		e.wantJSONError(http.StatusNotFound,
			"route exactly /api/users, /api/users/..., /api/orders and /api/orders/... (ServeMux patterns \"/api/users\" and \"/api/users/\"), and answer writeError(w, 404, ...) for the rest")
		if after := users.calls.Load() + orders.calls.Load(); after != before {
			e.fail("a service received this request: the gateway must not forward paths it does not route")
		}
	}
}

func TestGatewayForwardsRequestID(t *testing.T) {
	users := newLabInstance(t, "users-1")
	gw := labNewGateway(t, newLabResolver(map[string][]string{"users": {users.url}}), newLabClock())

	// The client's ID goes through unchanged, and comes back.
	e := labDo(t, gw, "GET", "http://shop.example/api/users/u1", "", "X-Request-ID", "req-abc-123")
	e.wantStatus(http.StatusOK, labGatewayTODO)
	seen, _ := users.last()
	if got := seen.Header.Values("X-Request-Id"); len(got) != 1 || got[0] != "req-abc-123" {
		e.fail(fmt.Sprintf("the users service received X-Request-ID %q, want \"req-abc-123\", the client's", got),
			"the proxy copies the request's headers to pr.Out: keep the client's X-Request-ID as it is")
	}
	if got := e.header.Values("X-Request-Id"); len(got) != 1 || got[0] != "req-abc-123" {
		e.fail(fmt.Sprintf("the response has X-Request-ID %q, want exactly one, \"req-abc-123\"", got),
			"set it with w.Header().Set before calling the proxy (withRequestID, gateway.go)")
	}

	// Without one, the gateway makes one up: the same on both sides, new for each request.
	var ids []string
	for range 2 {
		e := labDo(t, gw, "GET", "http://shop.example/api/users/u1", "")
		e.wantStatus(http.StatusOK, labGatewayTODO)
		seen, _ := users.last()
		id := seen.Header.Get("X-Request-Id")
		if id == "" {
			e.fail("the users service received no X-Request-ID, want one the gateway made up",
				"withRequestID (gateway.go): when the request has none, make one (16 random bytes in hex) and set it on a clone of the request")
		}
		if got := e.header.Values("X-Request-Id"); len(got) != 1 || got[0] != id {
			e.fail(fmt.Sprintf("the response has X-Request-ID %q, want exactly one, %q, the ID the users service received", got, id),
				"the client needs the ID to quote it in a bug report: put the same one on the response")
		}
		ids = append(ids, id)
	}
	if ids[0] == ids[1] {
		t.Fatalf("two requests without X-Request-ID both got the ID %q, want a new one for each request", ids[0])
	}
}

func TestGatewaySetsForwardedHeaders(t *testing.T) {
	users := newLabInstance(t, "users-1")
	gw := labNewGateway(t, newLabResolver(map[string][]string{"users": {users.url}}), newLabClock())

	// httptest.NewRequest comes from 192.0.2.1. The client also claims to be someone else.
	e := labDo(t, gw, "GET", "http://shop.example/api/users/u1", "", "X-Forwarded-For", "203.0.113.9")
	e.wantStatus(http.StatusOK, labGatewayTODO)
	seen, _ := users.last()
	for _, h := range []struct{ name, want, hint string }{
		{"X-Forwarded-For", "192.0.2.1", "call pr.SetXForwarded() in rewrite. The gateway is the edge: a client's own X-Forwarded-For proves nothing, and Rewrite already dropped it"},
		{"X-Forwarded-Host", "shop.example", "pr.SetXForwarded() sets it to the Host the client asked for"},
		{"X-Forwarded-Proto", "http", "pr.SetXForwarded() sets it to http or https"},
	} {
		if got := seen.Header.Get(h.name); got != h.want {
			e.fail(fmt.Sprintf("the users service received %s %q, want %q", h.name, got, h.want), h.hint)
		}
	}
}

func TestGatewayUpstreamDownIs502JSON(t *testing.T) {
	orders := newLabInstance(t, "orders-1")
	dead := labDeadURL(t)
	gw := labNewGateway(t, newLabResolver(map[string][]string{"users": {dead}, "orders": {orders.url}}), newLabClock())

	e := labDo(t, gw, "GET", "http://shop.example/api/users/u1", "")
	e.wantJSONError(http.StatusBadGateway,
		"the only users instance ("+dead+") is down. Give the ReverseProxy an ErrorHandler that answers writeError(w, http.StatusBadGateway, ...)")

	// One service down does not take the others with it.
	e = labDo(t, gw, "GET", "http://shop.example/api/orders/o-1", "")
	e.wantStatus(http.StatusOK, "users is down, but orders is up: its requests must still go through")
}

func TestGatewayNoInstanceIs503JSON(t *testing.T) {
	orders := newLabInstance(t, "orders-1")
	gw := labNewGateway(t, newLabResolver(map[string][]string{"users": {}, "orders": {orders.url}}), newLabClock())

	e := labDo(t, gw, "GET", "http://shop.example/api/users/u1", "")
	e.wantJSONError(http.StatusServiceUnavailable,
		"no users instance is registered: the balancer returns an error wrapping errNoInstances. In the ErrorHandler, errors.Is(err, errNoInstances) is 503 Service Unavailable; other errors are 502")
}

// labOr is s, or def when s is empty.
func labOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
