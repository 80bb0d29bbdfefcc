//go:build labcheck

package main

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"
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
}
