//go:build labcheck

package main

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// boomHandler panics; its name must show up in the logged stack.
func boomHandler(w http.ResponseWriter, r *http.Request) {
	panic("boom: the database handle is nil")
}

func TestRecoverReturns500JSON(t *testing.T) {
	logger, _ := newTestLogger()
	h := build(t, "recoverer(logger)", func() http.Handler { return recoverer(logger)(http.HandlerFunc(boomHandler)) })
	what := "recoverer(logger)(h): GET /boom where h panics"
	rec, p := serve(h, request("GET", "/boom", nil))
	if p != nil {
		t.Fatalf("%s: the panic escaped the middleware (%v), want a 500 response\nhint: defer a func that calls recover() before calling next.ServeHTTP", what, p)
	}
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("%s: got status %d, want 500", what, rec.Code)
	}
	checkJSONError(t, what, rec)
	if m, err := jsonObject(rec); err == nil && m["error"] != "internal server error" {
		t.Errorf("%s: got error %q, want \"internal server error\" (the panic's details belong in the log, not in the response)", what, m["error"])
	}

	abort := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic(http.ErrAbortHandler) })
	h = build(t, "recoverer(logger)", func() http.Handler { return recoverer(logger)(abort) })
	rec, p = serve(h, request("GET", "/abort", nil))
	if err, _ := p.(error); !errors.Is(err, http.ErrAbortHandler) {
		t.Errorf("recoverer(logger)(h): GET /abort where h panics with http.ErrAbortHandler: got status %d and no panic, want the panic to go on (net/http aborts the response quietly)", rec.Code)
	}
}

func TestRecoverLogsPanicAndStack(t *testing.T) {
	logger, buf := newTestLogger()
	h := build(t, "recoverer(logger)", func() http.Handler { return recoverer(logger)(http.HandlerFunc(boomHandler)) })
	req := request("GET", "/boom", nil)
	req = req.WithContext(withRequestID(req.Context(), "req-boom"))
	what := "recoverer(logger)(h): GET /boom with request id req-boom where h panics"
	if _, p := serve(h, req); p != nil {
		t.Fatalf("%s: the panic escaped the middleware (%v), want it recovered and logged", what, p)
	}
	recs := withMsg(buf.records(t), "panic")
	if len(recs) != 1 {
		t.Fatalf("%s: got %d log records with msg \"panic\", want 1\nlog output: %s", what, len(recs), clip(buf.String(), 600))
	}
	got := recs[0]
	if got["level"] != "ERROR" {
		t.Errorf("%s: got level %v, want ERROR", what, got["level"])
	}
	if s, _ := got["panic"].(string); !strings.Contains(s, "boom: the database handle is nil") {
		t.Errorf("%s: got panic attribute %#v, want the panic value as a string (fmt.Sprint(v))", what, got["panic"])
	}
	stack, _ := got["stack"].(string)
	if !strings.Contains(stack, "goroutine") || !strings.Contains(stack, "boomHandler") {
		t.Errorf("%s: got stack attribute %q, want the stack of the panicking goroutine, naming boomHandler (string(debug.Stack()) inside the deferred func)", what, clip(stack, 300))
	}
	if got["request_id"] != "req-boom" {
		t.Errorf("%s: got request_id %#v, want \"req-boom\" (it ties the log to the response the client saw)", what, got["request_id"])
	}
}

func TestRecoverKeepsServing(t *testing.T) {
	logger, _ := newTestLogger()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /boom", boomHandler)
	mux.HandleFunc("GET /ok", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	h := build(t, "recoverer(logger)", func() http.Handler { return recoverer(logger)(mux) })

	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // net/http's own panic log, when nothing recovers
	srv.Start()
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // a guard against hanging, not a grade
	defer cancel()
	for i, step := range []struct {
		path string
		want int
	}{{"/boom", 500}, {"/ok", 200}, {"/boom", 500}, {"/ok", 200}} {
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+step.path, nil)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatalf("recoverer on a real server, request %d: GET %s: %v, want status %d\nhint: without recovery net/http catches the panic itself and drops the connection: the client gets no response at all", i+1, step.path, err, step.want)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != step.want {
			t.Fatalf("recoverer on a real server, request %d: GET %s: got status %d, want %d", i+1, step.path, resp.StatusCode, step.want)
		}
	}
}
