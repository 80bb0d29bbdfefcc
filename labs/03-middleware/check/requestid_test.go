//go:build labcheck

package main

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// generatedID is what a fresh id must look like: 16 to 64 safe characters.
var generatedID = regexp.MustCompile(`^[A-Za-z0-9._-]{16,64}$`)

// idProbe is a handler that reports the id it found in its context and writes a body
// (which sends the headers: an X-Request-ID set after this is lost).
type idProbe struct{ seen string }

func (p *idProbe) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.seen = requestIDFrom(r.Context())
	w.Write([]byte("ok"))
}

// runRequestID sends one request through requestID() and returns the response header and the
// id the handler saw.
func runRequestID(t *testing.T, incoming string, setHeader bool) (header, seen, what string) {
	t.Helper()
	probe := &idProbe{}
	h := build(t, "requestID()", func() http.Handler { return requestID()(probe) })
	req := request("GET", "/things", nil)
	what = "requestID(): GET /things without X-Request-ID"
	if setHeader {
		req.Header.Set("X-Request-ID", incoming)
		what = "requestID(): GET /things with X-Request-ID: " + clip(incoming, 80)
	}
	rec := mustServe(t, h, req, what)
	return rec.Result().Header.Get("X-Request-ID"), probe.seen, what
}

func TestRequestIDGeneratedWhenMissing(t *testing.T) {
	header, seen, what := runRequestID(t, "", false)
	if header == "" {
		t.Fatalf("%s: the response has no X-Request-ID header, want a generated id\nhint: set it with w.Header().Set before calling next (headers are sent with the first body byte)", what)
	}
	if !generatedID.MatchString(header) {
		t.Errorf("%s: got X-Request-ID %q, want a generated id of 16 to 64 characters from A-Z a-z 0-9 . _ - (crypto/rand.Text() gives 26)", what, header)
	}
	if seen != header {
		t.Errorf("%s: the handler's requestIDFrom(r.Context()) is %q but the response says %q, want the same id in both\nhint: call next with r.WithContext(withRequestID(r.Context(), id))", what, seen, header)
	}

	header2, _, _ := runRequestID(t, "", false)
	if header2 == header {
		t.Errorf("%s, twice: both responses got X-Request-ID %q, want a new id per request", what, header)
	}
}

func TestRequestIDKeepsValidIncoming(t *testing.T) {
	for _, id := range []string{"abc-123_X.y", "f47ac10b-58cc-4372-a567-0e02b2c3d479", "7", strings.Repeat("a", 64)} {
		header, seen, what := runRequestID(t, id, true)
		if header != id || seen != id {
			t.Errorf("%s: got response header %q and context id %q, want %q in both (a valid incoming id is kept, so one id follows the request across services)", what, header, seen, id)
		}
	}
}

func TestRequestIDReplacesInvalidIncoming(t *testing.T) {
	bad := []string{
		strings.Repeat("a", 65),     // too long
		"has space",                 // not in the alphabet
		`<script>alert(1)</script>`, // would end up in logs and pages
		"id\"injected\":\"x",        // would break a naive log line
		"café",                      // non-ASCII
	}
	for _, id := range bad {
		header, seen, what := runRequestID(t, id, true)
		if header == id || seen == id {
			t.Errorf("%s: the invalid id was kept (header %q, context %q), want it replaced by a generated one", what, clip(header, 80), clip(seen, 80))
			continue
		}
		if !generatedID.MatchString(header) || seen != header {
			t.Errorf("%s: got response header %q and context id %q, want one generated id (16 to 64 characters from A-Z a-z 0-9 . _ -) in both", what, header, seen)
		}
	}
}
