//go:build labcheck

package main

// Helpers of the hidden tests. Every name here starts with "lab" so that it cannot clash with
// a name in the learner's package.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// labChildEnv, when set to 1, makes the test binary run the learner's main() instead of the
// tests: the config and graceful-shutdown tests start the real program this way, as a child
// process they can signal, without a `go build` of their own.
const labChildEnv = "LAB08_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(labChildEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// labGuard bounds every wait of the tests. A correct solution needs milliseconds; this only
// turns a hang (a lock never released, a signal never handled) into a clear failure.
const labGuard = 20 * time.Second

// labClip keeps failure messages short: the start of a long text says enough.
func labClip(s string, max int) string {
	if len(s) > max {
		return s[:max] + fmt.Sprintf("... (%d more bytes)", len(s)-max)
	}
	return s
}

// labIndent indents every line of s by four spaces.
func labIndent(s string) string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return "    (nothing)"
	}
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}

// labReadFile reads a file of the learner's lab folder, or stops the test with a message that
// says which file is missing and what it is for.
func labReadFile(t *testing.T, name, what string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if errors.Is(err, os.ErrNotExist) {
		t.Fatalf("%s: no such file in the lab folder: %s", name, what)
	}
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return data
}

// ---- YAML positions --------------------------------------------------------------------------

// labYAMLDocs parses every document of a YAML file into nodes, which know their line numbers.
func labYAMLDocs(src []byte) ([]*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var docs []*yaml.Node
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return docs, err
		}
		docs = append(docs, &n)
	}
}

// labYAMLContent skips the document node.
func labYAMLContent(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	return n
}

// labYAMLValue returns the value of key in a mapping node, and the key node (for its line).
func labYAMLValue(n *yaml.Node, key string) (val, keyNode *yaml.Node) {
	n = labYAMLContent(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1], n.Content[i]
		}
	}
	return nil, nil
}

// labYAMLLine returns the line of the deepest key of path that exists in the document, and
// that part of the path. Where the path meets a sequence, it looks into each item for the
// next key (the first item that has it wins), so "containers", "livenessProbe" finds the probe
// of the first container that has one.
func labYAMLLine(doc *yaml.Node, path ...string) (line int, found string) {
	n := labYAMLContent(doc)
	if n != nil {
		line = n.Line
	}
	var done []string
	for _, key := range path {
		if i, err := strconv.Atoi(key); err == nil && n != nil && n.Kind == yaml.SequenceNode {
			if i < 0 || i >= len(n.Content) {
				break
			}
			n, line = n.Content[i], n.Content[i].Line
			done = append(done, key)
			continue
		}
		if n != nil && n.Kind == yaml.SequenceNode {
			var next *yaml.Node
			for _, item := range n.Content {
				if _, k := labYAMLValue(item, key); k != nil {
					next = item
					break
				}
			}
			if next == nil { // no item has the key: point at the first item
				if len(n.Content) > 0 {
					line = n.Content[0].Line
				}
				break
			}
			n = next
		}
		val, k := labYAMLValue(n, key)
		if k == nil {
			break
		}
		line, n = k.Line, val
		done = append(done, key)
	}
	return line, strings.Join(done, ".")
}

// labYAMLFindKey returns the line of the first mapping key named key anywhere in the document
// (0 when there is none): where a decoder's "unknown field" is.
func labYAMLFindKey(n *yaml.Node, key string) int {
	if n == nil {
		return 0
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				return n.Content[i].Line
			}
		}
	}
	for _, c := range n.Content {
		if l := labYAMLFindKey(c, key); l != 0 {
			return l
		}
	}
	return 0
}

// labSourceLine is line n of src (1-based), trimmed, for quoting in a failure message.
func labSourceLine(src []byte, n int) string {
	lines := strings.Split(string(src), "\n")
	if n < 1 || n > len(lines) {
		return ""
	}
	return strings.TrimSpace(lines[n-1])
}

// labWhere formats "file:line: `text`" for a failure message.
func labWhere(file string, src []byte, line int) string {
	if line < 1 {
		return file
	}
	if text := labSourceLine(src, line); text != "" {
		return fmt.Sprintf("%s:%d: `%s`", file, line, labClip(text, 120))
	}
	return fmt.Sprintf("%s:%d", file, line)
}

// ---- In-process HTTP (probes) ----------------------------------------------------------------

// labExchange is one request to a handler and the response, kept whole so that a failure can
// show what was sent and what came back.
type labExchange struct {
	t      *testing.T
	method string
	target string
	status int
	header http.Header
	body   []byte
}

// labServe sends one request straight to h (no network), turning a panic or a hang into a
// clear failure.
func labServe(t *testing.T, h http.Handler, method, target string) *labExchange {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	rec := httptest.NewRecorder()
	done := make(chan string, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- fmt.Sprintf("%v\n%s", p, labStack())
				return
			}
			done <- ""
		}()
		h.ServeHTTP(rec, req)
	}()
	timer := time.NewTimer(labGuard)
	defer timer.Stop()
	select {
	case p := <-done:
		if p != "" {
			t.Fatalf("%s %s: the handler panicked: %s", method, target, p)
		}
	case <-timer.C:
		t.Fatalf("%s %s: no answer after %v: does a check wait forever (no timeout on its context), or is a lock never released?", method, target, labGuard)
	}
	res := rec.Result()
	e := &labExchange{t: t, method: method, target: target, status: res.StatusCode, header: res.Header}
	e.body, _ = io.ReadAll(res.Body)
	return e
}

// fail stops the test with msg, the hints and the exchange.
func (e *labExchange) fail(msg string, hints ...string) {
	e.t.Helper()
	e.t.Fatal(e.report(msg, hints))
}

func (e *labExchange) report(msg string, hints []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %s", e.method, e.target, msg)
	for _, h := range hints {
		if h != "" {
			fmt.Fprintf(&b, "\nhint: %s", h)
		}
	}
	fmt.Fprintf(&b, "\n\nsent:\n    %s %s\ngot back:\n    %d %s\n", e.method, e.target, e.status, http.StatusText(e.status))
	names := make([]string, 0, len(e.header))
	for name := range e.header {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		fmt.Fprintf(&b, "    %s: %s\n", name, strings.Join(e.header[name], ", "))
	}
	if body := strings.TrimSpace(string(e.body)); body != "" {
		fmt.Fprintf(&b, "    %s\n", labClip(body, 600))
	} else {
		b.WriteString("    (no body)\n")
	}
	return b.String()
}

func (e *labExchange) wantStatus(want int, hints ...string) {
	e.t.Helper()
	if e.status != want {
		e.fail(fmt.Sprintf("got status %d %s, want %d %s", e.status, http.StatusText(e.status), want, http.StatusText(want)), hints...)
	}
}

// labHealthReport is the JSON body of /livez and /readyz.
type labHealthReport struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

// report decodes the body as a health report, after checking that it is JSON.
func (e *labExchange) healthReport() labHealthReport {
	e.t.Helper()
	mt, _, _ := mime.ParseMediaType(e.header.Get("Content-Type"))
	if mt != "application/json" {
		e.fail(fmt.Sprintf("got Content-Type %q, want application/json", e.header.Get("Content-Type")),
			`the probes answer a JSON report like {"status":"ok","checks":{"database":"ok","redis":"ok"}}: writeJSON (server.go) sets the header`)
	}
	var r labHealthReport
	if err := json.Unmarshal(e.body, &r); err != nil {
		e.fail(fmt.Sprintf("the body is not a JSON object: %v", err))
	}
	return r
}

// labStack is the stack of the goroutine that calls it, cut short.
func labStack() string {
	lines := strings.Split(string(debug.Stack()), "\n")
	if len(lines) > 24 {
		lines = append(lines[:24], "\t...")
	}
	return strings.Join(lines, "\n")
}
