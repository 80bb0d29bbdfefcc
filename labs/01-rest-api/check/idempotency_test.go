//go:build labcheck

package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Task idempotency: PUT is idempotent by nature; POST becomes so with an Idempotency-Key.

func TestPutTwiceChangesNothingMore(t *testing.T) {
	c := newLabClient(t, "idempotency")
	b := c.seed(Book{Title: "Dun", Authors: []string{"F. Herbert"}, ISBN: "9780441013593", Year: 1965})[0]
	target := fmt.Sprintf("/api/v1/books/%d", b.ID)
	body := `{"title":"Dune","author":"Frank Herbert","isbn":"9780441013593","year":1965}`

	first := c.sendJSON("PUT", target, body)
	first.wantStatus(http.StatusOK)
	after, _ := c.store.Get(b.ID)
	for i := 2; i <= 3; i++ {
		again := c.sendJSON("PUT", target, body)
		again.wantStatus(http.StatusOK, "the same PUT again is still a success: the book is already in the state the client asked for")
		if !bytes.Equal(again.body, first.body) {
			again.fail(fmt.Sprintf("PUT number %d answered a different body than the first:\n    first: %s\n    now:   %s", i, first.body, again.body),
				"a PUT sets the resource to the body it carries, so sending it twice must leave the same book")
		}
		if now, _ := c.store.Get(b.ID); now.Title != after.Title || now.Year != after.Year || len(now.Authors) != len(after.Authors) {
			again.fail(fmt.Sprintf("PUT number %d changed the stored book again: %+v, after the first PUT %+v", i, now, after))
		}
		if n := c.store.Len(); n != 1 {
			again.fail(fmt.Sprintf("the store holds %d books after PUT number %d, want 1", n, i))
		}
	}
}

func TestPostWithIdempotencyKeyReplays(t *testing.T) {
	c := newLabClient(t, "idempotency")
	body := `{"title":"Dune","author":"Frank Herbert","isbn":"9780441013593"}`
	key := []string{"Idempotency-Key", "8e03978e-40d5-43e8-bc93-6894a57f9324"}

	first := c.sendJSON("POST", "/api/v1/books", body, key...)
	first.wantStatus(http.StatusCreated)

	// The client never saw that answer (a timeout, say) and sends the same request again.
	retry := c.sendJSON("POST", "/api/v1/books", body, key...)
	hint := "with an Idempotency-Key seen before, for the same request, reply with the recorded response: the retry must look exactly like the first answer"
	if retry.status == http.StatusConflict || retry.status == http.StatusInternalServerError {
		hint = "the handler ran a second time, and the store refused the ISBN of the book the first POST created: " +
			"the idempotent wrapper (idempotency.go) must answer a repeat itself: with an Idempotency-Key seen before, for the same request, " +
			"reply with the recorded response, without calling next"
	}
	retry.wantStatus(http.StatusCreated, hint)
	if !bytes.Equal(retry.body, first.body) {
		retry.fail(fmt.Sprintf("the retry's body differs from the first response's:\n    first: %s\n    retry: %s", first.body, retry.body),
			"replay the recorded body byte for byte")
	}
	if got, want := retry.header.Get("Location"), first.header.Get("Location"); got != want {
		retry.fail(fmt.Sprintf("the retry has Location %q, the first response had %q", got, want),
			"replay the recorded headers too: the client needs Location to find its book")
	}
	if retry.header.Get("Idempotent-Replayed") != "true" {
		retry.fail(`no "Idempotent-Replayed: true" header on the replayed response`,
			"it tells the client (and whoever reads the logs) that nothing new happened")
	}
	if n := c.store.Len(); n != 1 {
		retry.fail(fmt.Sprintf("the store holds %d books after the same request twice, want 1", n))
	}

	// A new key is a new request.
	other := c.sendJSON("POST", "/api/v1/books", `{"title":"Emma","author":"Jane Austen","isbn":"9780141439587"}`,
		"Idempotency-Key", "f1d5c1a0-7d32-4a8f-9a57-5b8f0c6f1e11")
	other.wantStatus(http.StatusCreated, "a key that was never used is a new request: run the handler")
	if other.header.Get("Idempotent-Replayed") != "" {
		other.fail("a request with a new key was answered as a replay")
	}
	if n := c.store.Len(); n != 2 {
		other.fail(fmt.Sprintf("the store holds %d books after two different requests, want 2", n))
	}

	// Without a key nothing is remembered: the same body twice is two attempts to create.
	plain := `{"title":"Ulysses","author":"James Joyce","isbn":"9780199535675"}`
	c.sendJSON("POST", "/api/v1/books", plain).wantStatus(http.StatusCreated, "a POST without Idempotency-Key goes straight to the handler")
	again := c.sendJSON("POST", "/api/v1/books", plain)
	if again.status == http.StatusCreated || again.header.Get("Idempotent-Replayed") != "" {
		again.fail("the same POST without an Idempotency-Key was answered as a success again, want the handler to run (and the store to refuse the duplicate ISBN)",
			"only requests that carry an Idempotency-Key are recorded and replayed")
	}
}

func TestIdempotencyKeyReusedForOtherRequestIs422(t *testing.T) {
	c := newLabClient(t, "idempotency")
	key := []string{"Idempotency-Key", "5b2e6c1e-0a51-4f37-8d7a-1c0e4f5a9b77"}
	first := c.sendJSON("POST", "/api/v1/books", `{"title":"Dune","author":"Frank Herbert","isbn":"9780441013593"}`, key...)
	first.wantStatus(http.StatusCreated)

	e := c.sendJSON("POST", "/api/v1/books", `{"title":"Emma","author":"Jane Austen","isbn":"9780141439587"}`, key...)
	e.wantProblem(http.StatusUnprocessableEntity,
		"the key was used for another body: that is a client bug, not a retry. Remember a fingerprint of the first request (method, path, body) with the key and compare")
	if n := c.store.Len(); n != 1 {
		e.fail(fmt.Sprintf("the store holds %d books, want 1: a reused key must not run the handler", n))
	}

	// The same key and the same body on another path is another request too: the path is part
	// of the fingerprint.
	v2 := c.sendJSON("POST", "/api/v2/books", `{"title":"Dune","author":"Frank Herbert","isbn":"9780441013593"}`, key...)
	if v2.status != http.StatusUnprocessableEntity && v2.header.Get("Idempotent-Replayed") != "" {
		v2.fail("the key of a POST to /api/v1/books, sent with the same body to /api/v2/books, was answered as a replay of the v1 request, want 422",
			"the fingerprint covers the method and the path as well as the body: the same bytes sent somewhere else are a different request")
	}
	v2.wantProblem(http.StatusUnprocessableEntity,
		"the key was first used for POST /api/v1/books: the same key on POST /api/v2/books is a reused key, whatever the body")
}

// TestIdempotencyKeyInFlightIs409 forces the interleaving the lesson warns about: the retry
// arrives while the first request with the same key is still being answered. The first
// request is parked in the test's ResponseWriter (its handler has created the book and is
// writing the response) until the retry has been answered, so the outcome does not depend on
// the scheduler.
func TestIdempotencyKeyInFlightIs409(t *testing.T) {
	c := newLabClient(t, "idempotency")
	const key = "0c8d2f4e-6a1b-4c3d-9e8f-7a6b5c4d3e2f"
	body := `{"title":"Dune","author":"Frank Herbert","isbn":"9780441013593"}`

	parked := make(chan struct{})
	release := make(chan struct{})
	first := &labParkingWriter{ResponseWriter: httptest.NewRecorder(), parked: parked, release: release}
	firstDone := make(chan *labPanic, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				firstDone <- &labPanic{value: p, stack: labStack()}
				return
			}
			firstDone <- nil
		}()
		req := httptest.NewRequest("POST", "/api/v1/books", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", key)
		c.h.ServeHTTP(first, req)
	}()
	defer func() {
		close(release)
		select {
		case <-firstDone:
		case <-time.After(labTimeout):
		}
	}()

	select {
	case <-parked:
	case p := <-firstDone:
		if p != nil {
			t.Fatalf("POST /api/v1/books with Idempotency-Key %s: the handler panicked: %v\n%s", key, p.value, p.stack)
		}
		t.Fatalf("POST /api/v1/books with Idempotency-Key %s returned without writing a status or a body", key)
	case <-time.After(labTimeout):
		t.Fatalf("POST /api/v1/books with Idempotency-Key %s: no status written after %v: is a lock held forever?", key, labTimeout)
	}
	if first.status == http.StatusNotImplemented {
		t.Fatalf("POST /api/v1/books answered 501 Not Implemented: this needs POST from task resources to work first")
	}

	// The handler of the first request has run (the store holds its book) and is writing its
	// answer. Take the book out of the store, so that a second run of the handler would succeed
	// and show itself instead of being refused as a duplicate ISBN.
	created := c.store.List(0, -1)
	for _, b := range created {
		c.store.Delete(b.ID)
	}

	c.onTimeout = "the retry waits for the first request, which is parked until the retry is answered. " +
		"Do not wait: answer 409 Conflict at once, so that the client retries a little later"
	retry := c.sendJSON("POST", "/api/v1/books", body, "Idempotency-Key", key)

	interleaving := fmt.Sprintf("the first POST with Idempotency-Key %s had created its book and was still writing its %d response when the same POST arrived again", key, first.status)
	if retry.status == http.StatusCreated && retry.header.Get("Idempotent-Replayed") == "" || c.store.Len() > 0 {
		retry.fail(interleaving+fmt.Sprintf(", and your wrapper ran the handler a second time (the store now holds %d book(s) again, after the test removed the first one)", c.store.Len()),
			"claim the key, under the mutex, before calling next: a repeat then finds it taken and still running. Checking the key first and recording it after next returns leaves a gap in which two retries both run")
	}
	if retry.status == http.StatusCreated {
		return // a replay: this design recorded the response before writing it out, which is fine
	}
	retry.wantProblem(http.StatusConflict, interleaving+": answer 409 Conflict (problem+json) while the first request with the key is still running; the client retries later and then gets the replay")
}

// labParkingWriter is a ResponseWriter that stops the handler at its first WriteHeader or
// Write, says so on parked, and goes on when release is closed.
type labParkingWriter struct {
	http.ResponseWriter
	parked, release chan struct{}
	status          int
}

func (w *labParkingWriter) park(status int) {
	if w.status == 0 {
		w.status = status
		close(w.parked)
		<-w.release
	}
}

func (w *labParkingWriter) WriteHeader(status int) {
	w.park(status)
	w.ResponseWriter.WriteHeader(status)
}

func (w *labParkingWriter) Write(b []byte) (int, error) {
	w.park(http.StatusOK)
	return w.ResponseWriter.Write(b)
}
