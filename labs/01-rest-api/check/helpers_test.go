//go:build labcheck

package main

// Helpers of the hidden tests. Every name here starts with "lab" so that it cannot clash with
// a name in the learner's package.

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"
)

// labClient sends requests straight to the handler newServer returns (no network, no port) and
// keeps the store, so that a test can set up books without going through the API.
type labClient struct {
	t     *testing.T
	task  string // the task the test grades: it picks the hints
	store *Store
	h     http.Handler
	// on501 is the hint shown when the handler answers 501 Not Implemented, the starter's
	// placeholder. newLabClient picks one from the task; a test may replace it.
	on501 string
	// onTimeout, when set, replaces the hint of a request that got no answer in labTimeout.
	onTimeout string
}

func newLabClient(t *testing.T, task string) *labClient {
	t.Helper()
	c := &labClient{t: t, task: task, store: NewStore()}
	if c.store == nil {
		t.Fatalf("NewStore() returned nil: the tests need the store of store.go")
	}
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Fatalf("newServer(store) panicked: %v\n%s\nhint: a pattern registered twice, or two patterns that overlap, make ServeMux panic", p, labStack())
			}
		}()
		c.h = newServer(c.store)
	}()
	if c.h == nil {
		t.Fatalf("newServer(store) returned a nil http.Handler")
	}
	if task == "resources" {
		c.on501 = "501 Not Implemented is the starter's placeholder: replace it with the handler's real work (TODO(resources) in books.go)."
	} else {
		c.on501 = "501 Not Implemented is the starter's placeholder: this needs %s from task resources to work first."
	}
	return c
}

// labTimeout bounds one request. Handlers answer in microseconds; this only turns a deadlock
// (a mutex never unlocked, a channel nobody reads) into a clear failure instead of a timeout of
// the whole check.
const labTimeout = 10 * time.Second

// do sends one request. header holds name/value pairs.
func (c *labClient) do(method, target, body string, header ...string) *labExchange {
	c.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	e := &labExchange{c: c, method: method, target: target, reqHeader: req.Header.Clone(), reqBody: body}

	rec := httptest.NewRecorder()
	done := make(chan *labPanic, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- &labPanic{value: p, stack: labStack()}
				return
			}
			done <- nil
		}()
		c.h.ServeHTTP(rec, req)
	}()
	timer := time.NewTimer(labTimeout)
	defer timer.Stop()
	select {
	case p := <-done:
		if p != nil {
			c.t.Fatalf("%s %s: the handler panicked: %v\n%s\n\nsent:\n%s", method, target, p.value, p.stack, e.sent())
		}
	case <-timer.C:
		hint := "is a lock held forever, or a channel never read?"
		if c.onTimeout != "" {
			hint = c.onTimeout
		}
		c.t.Fatalf("%s %s: no answer after %v\nhint: %s\n\nsent:\n%s", method, target, labTimeout, hint, e.sent())
	}
	res := rec.Result()
	e.status, e.header = res.StatusCode, res.Header
	e.body, _ = io.ReadAll(res.Body)
	return e
}

func (c *labClient) get(target string, header ...string) *labExchange {
	c.t.Helper()
	return c.do(http.MethodGet, target, "", header...)
}

// sendJSON sends body with Content-Type: application/json.
func (c *labClient) sendJSON(method, target, body string, header ...string) *labExchange {
	c.t.Helper()
	return c.do(method, target, body, append([]string{"Content-Type", "application/json"}, header...)...)
}

// seed puts books in the store directly, numbered from the store's next ID.
func (c *labClient) seed(books ...Book) []Book {
	c.t.Helper()
	var out []Book
	for _, b := range books {
		stored, err := c.store.Create(b)
		if err != nil {
			c.t.Fatalf("setting up: store.Create(%+v): %v", b, err)
		}
		out = append(out, stored)
	}
	return out
}

// seedN puts n numbered books in the store and returns their IDs.
func (c *labClient) seedN(n int) []int64 {
	c.t.Helper()
	var ids []int64
	for i := 1; i <= n; i++ {
		b := c.seed(Book{Title: fmt.Sprintf("Book %03d", i), Authors: []string{"Author " + fmt.Sprint(i)}, ISBN: fmt.Sprintf("isbn-%03d", i)})
		ids = append(ids, b[0].ID)
	}
	return ids
}

// labExchange is one request and the response to it, kept whole so that a failure can show
// what was sent and what came back.
type labExchange struct {
	c         *labClient
	method    string
	target    string
	reqHeader http.Header
	reqBody   string
	status    int
	header    http.Header
	body      []byte
}

// fail stops the test with msg, the hints and the whole exchange.
func (e *labExchange) fail(msg string, hints ...string) {
	e.c.t.Helper()
	e.c.t.Fatal(e.report(msg, hints))
}

// errorf records a failure and lets the test go on, for checks that do not depend on each other.
func (e *labExchange) errorf(msg string, hints ...string) {
	e.c.t.Helper()
	e.c.t.Error(e.report(msg, hints))
}

func (e *labExchange) report(msg string, hints []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %s", e.method, e.target, msg)
	for _, h := range hints {
		if h != "" {
			fmt.Fprintf(&b, "\nhint: %s", h)
		}
	}
	fmt.Fprintf(&b, "\n\nsent:\n%s\ngot back:\n%s", e.sent(), e.got())
	return b.String()
}

func (e *labExchange) sent() string {
	var b strings.Builder
	fmt.Fprintf(&b, "    %s %s\n", e.method, e.target)
	labWriteHeaders(&b, e.reqHeader)
	if e.reqBody != "" {
		fmt.Fprintf(&b, "    %s\n", labClip(e.reqBody))
	}
	return b.String()
}

func (e *labExchange) got() string {
	var b strings.Builder
	fmt.Fprintf(&b, "    %d %s\n", e.status, http.StatusText(e.status))
	labWriteHeaders(&b, e.header)
	if len(e.body) > 0 {
		fmt.Fprintf(&b, "    %s\n", labClip(strings.TrimSpace(string(e.body))))
	} else {
		b.WriteString("    (no body)\n")
	}
	return b.String()
}

func labWriteHeaders(b *strings.Builder, h http.Header) {
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		fmt.Fprintf(b, "    %s: %s\n", name, strings.Join(h[name], ", "))
	}
}

// labClip keeps failure messages short: the start of a long body says enough.
func labClip(s string) string {
	const max = 600
	if len(s) > max {
		return s[:max] + fmt.Sprintf("... (%d more bytes)", len(s)-max)
	}
	return s
}

// wantStatus stops the test unless the status is want.
func (e *labExchange) wantStatus(want int, hints ...string) {
	e.c.t.Helper()
	if e.status == want {
		return
	}
	if e.status == http.StatusNotImplemented {
		// The starter's placeholder: the other hints are about a handler that exists.
		hints = []string{strings.ReplaceAll(e.c.on501, "%s", e.method)}
	}
	e.fail(fmt.Sprintf("got status %d %s, want %d %s", e.status, http.StatusText(e.status), want, http.StatusText(want)), hints...)
}

// mediaType is the Content-Type of the response without its parameters.
func (e *labExchange) mediaType() string {
	mt, _, err := mime.ParseMediaType(e.header.Get("Content-Type"))
	if err != nil {
		return e.header.Get("Content-Type")
	}
	return mt
}

// decodeJSON checks that the response is application/json and decodes it into v.
func (e *labExchange) decodeJSON(v any) {
	e.c.t.Helper()
	if mt := e.mediaType(); mt != "application/json" {
		e.fail(fmt.Sprintf("got Content-Type %q, want application/json", e.header.Get("Content-Type")),
			"set the header before WriteHeader: writeJSON (respond.go) does it for you")
	}
	if err := json.Unmarshal(e.body, v); err != nil {
		e.fail(fmt.Sprintf("the body is not the JSON expected: %v", err))
	}
}

// object decodes a JSON object body into a map, to see which keys it has.
func (e *labExchange) object() map[string]any {
	e.c.t.Helper()
	var m map[string]any
	e.decodeJSON(&m)
	if m == nil {
		e.fail("got the JSON null, want an object")
	}
	return m
}

// labProblem is an RFC 9457 problem body.
type labProblem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
}

// wantProblem stops the test unless the response is status with an application/problem+json
// body that has type, title, the same status and a detail.
func (e *labExchange) wantProblem(status int, hints ...string) labProblem {
	e.c.t.Helper()
	e.wantStatus(status, hints...)
	if mt := e.mediaType(); mt != "application/problem+json" {
		hint := "error replies are problem+json: writeProblem (respond.go) writes one"
		if mt == "text/plain" {
			hint = "text/plain is what http.Error, and the mux's own 404 and 405, write: reply with writeProblem instead" +
				" (for the mux's replies, see withProblemDefaults in errors.go)"
		}
		e.fail(fmt.Sprintf("got Content-Type %q, want application/problem+json", e.header.Get("Content-Type")), hint)
	}
	var p labProblem
	if err := json.Unmarshal(e.body, &p); err != nil {
		e.fail(fmt.Sprintf("the problem body is not a JSON object with type, title, status and detail: %v", err))
	}
	var missing []string
	if p.Type == "" {
		missing = append(missing, `"type" (a URI; "about:blank" when the status says it all)`)
	}
	if p.Title == "" {
		missing = append(missing, `"title" (like "Not Found")`)
	}
	if p.Detail == "" {
		missing = append(missing, `"detail" (what went wrong this time)`)
	}
	if len(missing) > 0 {
		e.fail("the problem body lacks " + strings.Join(missing, ", "))
	}
	if p.Status != status {
		e.fail(fmt.Sprintf(`the problem body says "status": %d, want %d, the status of the response`, p.Status, status))
	}
	return p
}

// links parses the Link header into rel -> target.
func (e *labExchange) links() map[string]string {
	out := map[string]string{}
	for _, v := range e.header.Values("Link") {
		for _, part := range strings.Split(v, ",") {
			target, params, ok := strings.Cut(strings.TrimSpace(part), ";")
			target = strings.TrimSpace(target)
			if !ok || !strings.HasPrefix(target, "<") || !strings.HasSuffix(target, ">") {
				continue
			}
			for _, p := range strings.Split(params, ";") {
				name, val, _ := strings.Cut(strings.TrimSpace(p), "=")
				if strings.EqualFold(name, "rel") {
					for _, rel := range strings.Fields(strings.Trim(val, `"`)) {
						out[strings.ToLower(rel)] = target[1 : len(target)-1]
					}
				}
			}
		}
	}
	return out
}

// resolve returns the path and query of ref, a URI reference (like a Location or a Link target),
// taken relative to the request's URL.
func (e *labExchange) resolve(ref string) (*url.URL, error) {
	base, err := url.Parse("http://example.com" + e.target)
	if err != nil {
		return nil, err
	}
	u, err := base.Parse(ref)
	if err != nil {
		return nil, err
	}
	return u, nil
}

// labV1Book is a book of /api/v1/books as the tests read it.
type labV1Book struct {
	ID     int64  `json:"id"`
	Title  string `json:"title"`
	Author string `json:"author"`
	ISBN   string `json:"isbn"`
	Year   int    `json:"year"`
}

// labV2Book is a book of /api/v2/books as the tests read it.
type labV2Book struct {
	ID      int64    `json:"id"`
	Title   string   `json:"title"`
	Authors []string `json:"authors"`
	ISBN    string   `json:"isbn"`
	Year    int      `json:"year"`
}

// labList is the body of GET /api/vN/books.
type labList[T any] struct {
	Data       []T     `json:"data"`
	NextCursor *string `json:"next_cursor"`
}

// next returns the next cursor, "" when there is none (absent, null or "").
func (l labList[T]) next() string {
	if l.NextCursor == nil {
		return ""
	}
	return *l.NextCursor
}

type labPanic struct {
	value any
	stack string
}

// labStack is the stack of the goroutine that calls it, cut short.
func labStack() string {
	lines := strings.Split(string(debug.Stack()), "\n")
	if len(lines) > 24 {
		lines = append(lines[:24], "\t...")
	}
	return strings.Join(lines, "\n")
}
