//go:build labcheck

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
)

// sseWriter is the ResponseWriter of one chat client. It records what the handler writes and
// implements http.Flusher. A stuck writer is a client that stopped reading: after the first
// flush (the "you are connected" one), every Write blocks until the test ends.
type sseWriter struct {
	header    http.Header
	stuck     bool
	unstick   chan struct{} // closed at the end of the test
	connected chan struct{} // closed on the first Flush
	changed   chan struct{} // a token after every Write or Flush

	mu      sync.Mutex
	status  int
	body    bytes.Buffer
	flushed bool
}

func newSSEWriter(stuck bool) *sseWriter {
	return &sseWriter{
		header: http.Header{}, stuck: stuck, unstick: make(chan struct{}),
		connected: make(chan struct{}), changed: make(chan struct{}, 1),
	}
}

func (w *sseWriter) Header() http.Header { return w.header }

func (w *sseWriter) WriteHeader(code int) {
	w.mu.Lock()
	if w.status == 0 {
		w.status = code
	}
	w.mu.Unlock()
}

func (w *sseWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	blocked := w.stuck && w.flushed
	w.mu.Unlock()
	if blocked {
		<-w.unstick
		return 0, errors.New("lab check: the client has gone away")
	}
	w.mu.Lock()
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.body.Write(p)
	w.mu.Unlock()
	w.notify()
	return len(p), nil
}

func (w *sseWriter) Flush() {
	w.mu.Lock()
	if w.status == 0 {
		w.status = http.StatusOK
	}
	first := !w.flushed
	w.flushed = true
	w.mu.Unlock()
	if first {
		close(w.connected)
	}
	w.notify()
}

func (w *sseWriter) notify() {
	select {
	case w.changed <- struct{}{}:
	default:
	}
}

func (w *sseWriter) snapshot() (int, string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.status, w.body.String()
}

// events parses the complete SSE events of a stream body and decodes their data as messages.
func events(body string) ([]message, error) {
	var out []message
	var data []string
	for line := range strings.Lines(body) {
		if !strings.HasSuffix(line, "\n") {
			break // an incomplete line: the rest has not been written yet
		}
		line = strings.TrimRight(line, "\r\n")
		switch {
		case line == "":
			if len(data) > 0 {
				var m message
				if err := json.Unmarshal([]byte(strings.Join(data, "\n")), &m); err != nil {
					return out, fmt.Errorf("event data %q is not a message like {\"user\":\"ada\",\"text\":\"hi\"}: %v", strings.Join(data, "\n"), err)
				}
				out = append(out, m)
			}
			data = nil
		case strings.HasPrefix(line, ":"): // a comment (heartbeat)
		case strings.HasPrefix(line, "data:"):
			data = append(data, strings.TrimPrefix(strings.TrimPrefix(line, "data:"), " "))
		}
	}
	return out, nil
}

// sseClient is one open GET /api/chat/stream.
type sseClient struct {
	name   string
	w      *sseWriter
	cancel context.CancelFunc // disconnects the client
	done   chan struct{}      // closed when the handler returns
}

// connect opens a stream and waits until the handler has flushed its headers.
func connect(t *testing.T, r *rig, h http.Handler, name string, stuck bool) *sseClient {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	c := &sseClient{name: name, w: newSSEWriter(stuck), cancel: cancel, done: make(chan struct{})}
	req := httptest.NewRequest(http.MethodGet, "/api/chat/stream", nil).WithContext(ctx)
	go func() {
		defer close(c.done)
		h.ServeHTTP(c.w, req)
	}()
	t.Cleanup(func() {
		cancel()
		close(c.w.unstick)
		select {
		case <-c.done:
			return
		default:
		}
		select {
		case <-c.done:
		case <-r.hard.Done():
			t.Logf("the stream of client %s was still open when the test ended", name)
		}
	})
	select {
	case <-c.w.connected:
	case <-c.done:
		status, body := c.w.snapshot()
		t.Fatalf("GET /api/chat/stream (client %s): the handler returned at once with status %d, body %s; want a stream that stays open: 200, Content-Type: text/event-stream, flushed right after joining the room", name, status, show(body))
	case <-r.ctx.Done():
		t.Fatalf("GET /api/chat/stream (client %s): the handler never flushed; want the headers flushed right after joining the room (http.NewResponseController(w).Flush()): that first flush is how a client knows it is in", name)
	}
	return c
}

// waitMessages waits until c has received n messages and returns them.
func (c *sseClient) waitMessages(t *testing.T, r *rig, n int, what string) []message {
	t.Helper()
	for {
		_, body := c.w.snapshot()
		got, err := events(body)
		if err != nil {
			t.Fatalf("GET /api/chat/stream (client %s): %v; stream so far: %s", c.name, err, show(body))
		}
		if len(got) >= n {
			return got
		}
		select {
		case <-c.w.changed:
		case <-c.done:
			_, body = c.w.snapshot()
			if got, _ = events(body); len(got) >= n {
				return got
			}
			t.Fatalf("GET /api/chat/stream (client %s): the stream ended after %d of %d messages (%s); want it open until the client leaves. Stream: %s", c.name, len(got), n, what, show(body))
		case <-r.ctx.Done():
			t.Fatalf("GET /api/chat/stream (client %s): received %d of %d messages (%s); want all of them, each as \"data: {\\\"user\\\":...,\\\"text\\\":...}\" and a blank line, flushed. Stream: %s", c.name, len(got), n, what, show(body))
		}
	}
}

// say posts a message and returns the "recipients" of the answer.
func say(t *testing.T, r *rig, h http.Handler, user, text string) int {
	t.Helper()
	desc := fmt.Sprintf("POST /api/chat/messages {\"user\":%q,\"text\":%q}", user, text)
	c := r.start(h, postJSON("/api/chat/messages", message{User: user, Text: text}))
	select {
	case <-c.done:
	case <-r.ctx.Done():
		t.Fatalf("%s did not answer within %v: is the broadcast waiting for a client that does not read? It must never wait (select with a default case)", desc, safety)
	}
	if c.rec.Code != http.StatusAccepted {
		t.Fatalf("%s: got status %d, want 202; body %s", desc, c.rec.Code, show(c.rec.Body.String()))
	}
	var body struct {
		Recipients *int `json:"recipients"`
	}
	decode(t, desc, c.rec, &body)
	if body.Recipients == nil {
		t.Fatalf("%s: body %s has no \"recipients\", want the number of clients the message was queued for", desc, show(c.rec.Body.String()))
	}
	return *body.Recipients
}

func texts(ms []message) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.User + ": " + m.Text
	}
	return out
}

func TestChatDeliversToEveryClient(t *testing.T) {
	r := newRig(t)
	h := newChat()
	var clients []*sseClient
	for _, name := range []string{"A", "B", "C"} {
		clients = append(clients, connect(t, r, h, name, false))
	}
	if ct := clients[0].w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Errorf("GET /api/chat/stream: Content-Type %q, want text/event-stream", ct)
	}
	if status, _ := clients[0].w.snapshot(); status != http.StatusOK {
		t.Errorf("GET /api/chat/stream: status %d, want 200", status)
	}
	sent := []message{{"ada", "hello"}, {"grace", "hi ada"}, {"ada", "shall we ship it?"}}
	for _, m := range sent {
		if n := say(t, r, h, m.User, m.Text); n != 3 {
			t.Errorf("POST /api/chat/messages {\"user\":%q,\"text\":%q}: \"recipients\" = %d, want 3 (three clients are connected)", m.User, m.Text, n)
		}
	}
	for _, c := range clients {
		got := c.waitMessages(t, r, len(sent), "3 messages posted while 3 clients were connected")
		if !slices.Equal(texts(got), texts(sent)) {
			t.Errorf("client %s received %q, want %q, in that order", c.name, texts(got), texts(sent))
		}
	}
}

func TestChatSlowClientDoesNotBlockOthers(t *testing.T) {
	r := newRig(t)
	h := newChat()
	connect(t, r, h, "S (stopped reading)", true)
	a := connect(t, r, h, "A", false)
	// One message at a time, each once A has it: A is never behind, S stops reading at once.
	const n = 100
	var sent []message
	var got []message
	for i := range n {
		m := message{User: "ada", Text: fmt.Sprintf("message %d", i+1)}
		sent = append(sent, m)
		say(t, r, h, m.User, m.Text)
		got = a.waitMessages(t, r, i+1, fmt.Sprintf("%d messages posted, one at a time, while client S had stopped reading", i+1))
	}
	if !slices.Equal(texts(got), texts(sent)) {
		t.Errorf("client A received %d messages that differ from the %d sent, or are out of order; first: %q", len(got), n, texts(got)[:min(3, len(got))])
	}
}

func TestChatDisconnectLeavesRoom(t *testing.T) {
	r := newRig(t)
	h := newChat()
	a := connect(t, r, h, "A", false)
	b := connect(t, r, h, "B", false)
	if got := say(t, r, h, "ada", "one"); got != 2 {
		t.Fatalf("POST /api/chat/messages {\"user\":\"ada\",\"text\":\"one\"} with clients A and B connected: \"recipients\" = %d, want 2", got)
	}
	b.waitMessages(t, r, 1, "1 message posted while B was connected")
	b.cancel() // B closes the tab
	select {
	case <-b.done:
	case <-r.ctx.Done():
		t.Fatalf("GET /api/chat/stream (client B): the handler did not return after the client disconnected (its request context was cancelled): select on r.Context().Done() in the stream loop")
	}
	if got := say(t, r, h, "ada", "two"); got != 1 {
		t.Fatalf("POST /api/chat/messages {\"user\":\"ada\",\"text\":\"two\"} after B disconnected: \"recipients\" = %d, want 1 (only A): the stream handler must leave the room before it returns (defer)", got)
	}
	got := a.waitMessages(t, r, 2, "2 messages posted while A was connected")
	if want := []string{"ada: one", "ada: two"}; !slices.Equal(texts(got), want) {
		t.Errorf("client A received %q, want %q", texts(got), want)
	}
}
