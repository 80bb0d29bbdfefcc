//go:build labcheck

package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// oneAccessLog returns the single "request" record, or fails saying what was logged.
func oneAccessLog(t *testing.T, buf *logBuffer, what string) map[string]any {
	t.Helper()
	recs := buf.records(t)
	got := withMsg(recs, "request")
	if len(got) != 1 {
		t.Fatalf("%s: got %d log records with msg \"request\", want exactly 1\nlog output: %s", what, len(got), clip(buf.String(), 600))
	}
	return got[0]
}

// checkFields compares log attributes; JSON numbers arrive as float64.
func checkFields(t *testing.T, what string, rec map[string]any, want map[string]any) {
	t.Helper()
	var bad []string
	for k, w := range want {
		g, ok := rec[k]
		if !ok {
			bad = append(bad, fmt.Sprintf("%s: missing, want %v", k, w))
			continue
		}
		if fmt.Sprint(g) != fmt.Sprint(w) {
			bad = append(bad, fmt.Sprintf("%s: got %#v, want %#v", k, g, w))
		}
	}
	if len(bad) > 0 {
		t.Errorf("%s: the access log record is wrong:\n  %s\nrecord: %v", what, strings.Join(bad, "\n  "), rec)
	}
}

func TestLoggingRecordsRequest(t *testing.T) {
	logger, buf := newTestLogger()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/books/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, "hello")
	})
	h := build(t, "logging(logger)", func() http.Handler { return logging(logger)(mux) })

	req := request("POST", "/api/v1/books/42", strings.NewReader("{}"))
	req = req.WithContext(withRequestID(req.Context(), "req-42"))
	what := "logging(logger)(mux): POST /api/v1/books/42 with request id req-42, handler answers 201 \"hello\""
	rec := mustServe(t, h, req, what)
	if rec.Code != http.StatusCreated || rec.Body.String() != "hello" {
		t.Errorf("%s: the client got %d %q, want 201 \"hello\" (the wrapper must pass status and body on)", what, rec.Code, rec.Body.String())
	}

	got := oneAccessLog(t, buf, what)
	checkFields(t, what, got, map[string]any{
		"level":      "INFO",
		"method":     "POST",
		"route":      "POST /api/v1/books/{id}",
		"status":     201,
		"bytes":      5,
		"request_id": "req-42",
	})
	switch route, _ := got["route"].(string); route {
	case "":
		t.Errorf("hint: route is r.Pattern, which the ServeMux fills in while it handles the request: read it after next.ServeHTTP returns")
	case "/api/v1/books/42":
		t.Errorf("hint: that is the path; log the pattern (r.Pattern) so all books share one route")
	}
	d, ok := got["duration"].(float64)
	if !ok || d < 0 {
		t.Errorf("%s: got duration %#v, want a number of nanoseconds >= 0 (slog.Duration(\"duration\", time.Since(start)))", what, got["duration"])
	}
}

func TestLoggingDefaultsTo200(t *testing.T) {
	cases := []struct {
		name      string
		handler   http.HandlerFunc
		wantBytes int
	}{
		{"handler writes \"ok\" without WriteHeader", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte("ok"))
		}, 2},
		{"handler writes nothing at all", func(w http.ResponseWriter, r *http.Request) {}, 0},
	}
	for _, c := range cases {
		logger, buf := newTestLogger()
		h := build(t, "logging(logger)", func() http.Handler { return logging(logger)(c.handler) })
		what := "logging(logger): GET /plain, " + c.name
		mustServe(t, h, request("GET", "/plain", nil), what)
		got := oneAccessLog(t, buf, what)
		checkFields(t, what, got, map[string]any{"status": 200, "bytes": c.wantBytes})
		if got["status"] == float64(0) {
			t.Errorf("hint: net/http sends 200 when the handler never calls WriteHeader; log that, not the zero value")
		}
	}
}

func TestLoggingKeepsFlusher(t *testing.T) {
	logger, buf := newTestLogger()
	var flushErr error
	var isFlusher bool
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "chunk-1\n")
		flushErr = http.NewResponseController(w).Flush()
		_, isFlusher = w.(http.Flusher)
		io.WriteString(w, "chunk-2\n")
	})
	h := build(t, "logging(logger)", func() http.Handler { return logging(logger)(handler) })
	what := "logging(logger): GET /stream, a handler that flushes between two chunks"
	rec := mustServe(t, h, request("GET", "/stream", nil), what)

	if flushErr != nil {
		t.Errorf("%s: http.NewResponseController(w).Flush() returned %v, want nil\nhint: give the wrapper an Unwrap() http.ResponseWriter method (or FlushError/Flush)", what, flushErr)
	}
	if !rec.Flushed {
		t.Errorf("%s: the underlying writer was never flushed, want it flushed", what)
	}
	if !isFlusher {
		t.Errorf("%s: w.(http.Flusher) failed inside the handler, want the wrapper to be a Flusher (older code still type-asserts)", what)
	}
	got := oneAccessLog(t, buf, what)
	checkFields(t, what, got, map[string]any{"status": 200, "bytes": 16})
}

func TestLoggingUnwrapsForResponseController(t *testing.T) {
	logger, buf := newTestLogger()
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		var problems []string
		// A deadline far in the future: only whether the call reaches the connection matters.
		if err := rc.SetWriteDeadline(time.Now().Add(time.Hour)); err != nil {
			problems = append(problems, "SetWriteDeadline: "+err.Error())
		}
		if err := rc.EnableFullDuplex(); err != nil {
			problems = append(problems, "EnableFullDuplex: "+err.Error())
		}
		if len(problems) == 0 {
			io.WriteString(w, "ok")
			return
		}
		w.WriteHeader(http.StatusTeapot)
		io.WriteString(w, strings.Join(problems, "; "))
	})
	h := build(t, "logging(logger)", func() http.Handler { return logging(logger)(handler) })
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.Start()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // a guard against hanging, not a grade
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/deadline", nil)
	resp, err := srv.Client().Do(req)
	if err != nil {
		srv.Close()
		t.Fatalf("GET /deadline through logging on a real server: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	srv.Close() // waits for the handler and the log record

	what := "logging(logger) on a real server: GET /deadline, a handler using http.ResponseController"
	if resp.StatusCode != http.StatusOK {
		t.Errorf("%s: inside the handler %s, want both calls to succeed\nhint: http.ResponseController finds the real writer through an Unwrap() http.ResponseWriter method on your wrapper", what, body)
	}
	got := oneAccessLog(t, buf, what)
	checkFields(t, what, got, map[string]any{"status": resp.StatusCode, "bytes": len(body)})
}
