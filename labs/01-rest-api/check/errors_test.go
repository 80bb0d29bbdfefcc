//go:build labcheck

package main

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// Task errors: status codes and application/problem+json bodies.

const labDune = `{"title":"Dune","author":"Frank Herbert","isbn":"9780441013593"}`

func TestWrongContentTypeIs415(t *testing.T) {
	c := newLabClient(t, "errors")
	c.on501 = "readBook accepted a body whose Content-Type is not application/json, so the request went on to the starter's placeholder: check the Content-Type first (TODO(errors) in errors.go)"
	b := c.seed(Book{Title: "Emma", Authors: []string{"Jane Austen"}, ISBN: "9780141439587"})[0]

	for _, tc := range []struct{ method, target, contentType string }{
		{"POST", "/api/v1/books", "text/plain"},
		{"POST", "/api/v1/books", "application/x-www-form-urlencoded"},
		{"POST", "/api/v1/books", ""}, // no Content-Type at all
		{"PUT", fmt.Sprintf("/api/v1/books/%d", b.ID), "application/xml"},
	} {
		var header []string
		if tc.contentType != "" {
			header = []string{"Content-Type", tc.contentType}
		}
		e := c.do(tc.method, tc.target, labDune, header...)
		e.wantProblem(http.StatusUnsupportedMediaType,
			"the body is only JSON if the client says so: mime.ParseMediaType(r.Header.Get(\"Content-Type\")) must give application/json")
	}
	if n := c.store.Len(); n != 1 {
		t.Fatalf("the store holds %d books after requests answered 415, want 1: nothing may be stored from a refused request", n)
	}

	// Parameters are part of the Content-Type, not of the media type: this one is JSON.
	e := c.do("POST", "/api/v1/books", labDune, "Content-Type", "application/json; charset=utf-8")
	if e.status == http.StatusUnsupportedMediaType {
		e.fail("got 415 for application/json with a charset parameter, want it accepted",
			`compare the media type that mime.ParseMediaType returns, not the whole header`)
	}
}

func TestMalformedJSONIs400(t *testing.T) {
	c := newLabClient(t, "errors")
	for _, tc := range []struct{ name, body, hint string }{
		{"cut short", `{"title":"Dune","author":`,
			"a body that is not JSON is the client's mistake, 400, not the server's (5xx): reply with writeProblem"},
		{"wrong type", `{"title":42,"author":"Frank Herbert","isbn":"9780441013593"}`,
			`"title" must be a string: json.Decoder reports a *json.UnmarshalTypeError, which is a 400 too`},
		{"not an object", `["Dune","Frank Herbert"]`,
			"a book is a JSON object: decoding an array into a struct fails, and that is a 400"},
		{"empty", ``,
			"an empty body has no book in it: Decode returns io.EOF, which is a 400 too"},
		{"unknown field", `{"tittle":"Dune","title":"Dune","author":"Frank Herbert","isbn":"9780441013593"}`,
			`a field this version does not know is usually a typo the client wants to hear about: dec.DisallowUnknownFields()`},
		{"two objects", labDune + ` {"title":"again"}`,
			"one request, one JSON value: after decoding the book, check that only io.EOF is left (dec.Token() or a second Decode)"},
	} {
		c.on501 = fmt.Sprintf("readBook accepted this body (%s), so the request went on to the starter's placeholder. ", tc.name) + tc.hint
		e := c.sendJSON("POST", "/api/v1/books", tc.body)
		e.wantProblem(http.StatusBadRequest, tc.hint)
	}
	if n := c.store.Len(); n != 0 {
		t.Fatalf("the store holds %d books after bodies that were all refused, want 0", n)
	}
}

func TestInvalidBookIs400(t *testing.T) {
	c := newLabClient(t, "errors")
	b := c.seed(Book{Title: "Emma", Authors: []string{"Jane Austen"}, ISBN: "9780141439587"})[0]
	for _, tc := range []struct{ method, target, body, field string }{
		{"POST", "/api/v1/books", `{"author":"Frank Herbert","isbn":"9780441013593"}`, "title"},
		{"POST", "/api/v1/books", `{"title":"   ","author":"Frank Herbert","isbn":"9780441013593"}`, "title"},
		{"POST", "/api/v1/books", `{"title":"Dune","isbn":"9780441013593"}`, "author"},
		{"POST", "/api/v1/books", `{"title":"Dune","author":" ","isbn":"9780441013593"}`, "author"},
		{"POST", "/api/v1/books", `{"title":"Dune","author":"Frank Herbert"}`, "isbn"},
		{"PUT", fmt.Sprintf("/api/v1/books/%d", b.ID), `{"title":"","author":"Jane Austen","isbn":"9780141439587"}`, "title"},
	} {
		hint := fmt.Sprintf("validateBook (errors.go) must reject a book whose %s is missing or blank", tc.field)
		c.on501 = "readBook accepted this book, so the request went on to the starter's placeholder. " + hint
		e := c.sendJSON(tc.method, tc.target, tc.body)
		p := e.wantProblem(http.StatusBadRequest, hint)
		if !strings.Contains(strings.ToLower(p.Detail), tc.field) {
			e.fail(fmt.Sprintf("the detail %q does not name the field that is wrong, %q", p.Detail, tc.field),
				"the detail is for the developer of the client: say which field to fix")
		}
	}
	if n := c.store.Len(); n != 1 {
		t.Fatalf("the store holds %d books after invalid books, want 1 (the one the test put there)", n)
	}
	if got, _ := c.store.Get(b.ID); got.Title != "Emma" {
		t.Fatalf("the book was changed by an invalid PUT: it is now %+v", got)
	}
}

func TestUnknownBookIs404(t *testing.T) {
	c := newLabClient(t, "errors")
	c.seed(Book{Title: "Emma", Authors: []string{"Jane Austen"}, ISBN: "9780141439587"})
	hint := "the store says ErrNotFound: writeStoreError (errors.go) turns it into 404 Not Found (errors.Is(err, ErrNotFound))"
	for _, tc := range []struct{ method, target, body string }{
		{"GET", "/api/v1/books/999", ""},
		{"PUT", "/api/v1/books/999", labDune},
		{"DELETE", "/api/v1/books/999", ""},
		{"GET", "/api/v1/books/not-a-number", ""},
	} {
		var e *labExchange
		if tc.body != "" {
			e = c.sendJSON(tc.method, tc.target, tc.body)
		} else {
			e = c.do(tc.method, tc.target, "")
		}
		e.wantProblem(http.StatusNotFound, hint)
	}
}

func TestUnknownPathIs404Problem(t *testing.T) {
	c := newLabClient(t, "errors")
	for _, target := range []string{"/api/v1/authors", "/", "/api/v1/books/1/reviews"} {
		e := c.get(target)
		e.wantProblem(http.StatusNotFound)
	}
}

func TestWrongMethodIs405WithAllow(t *testing.T) {
	c := newLabClient(t, "errors")
	b := c.seed(Book{Title: "Emma", Authors: []string{"Jane Austen"}, ISBN: "9780141439587"})[0]
	for _, tc := range []struct {
		method, target string
		allow          []string
	}{
		{"DELETE", "/api/v1/books", []string{"GET", "POST"}},
		{"PATCH", fmt.Sprintf("/api/v1/books/%d", b.ID), []string{"GET", "PUT", "DELETE"}},
	} {
		e := c.do(tc.method, tc.target, "")
		e.wantProblem(http.StatusMethodNotAllowed,
			`the mux answers 405 by itself when a path matches a pattern but the method does not; a catch-all pattern like "/" matches every method and hides that`)
		var allowed []string
		for _, v := range e.header.Values("Allow") {
			for _, m := range strings.Split(v, ",") {
				allowed = append(allowed, strings.TrimSpace(m))
			}
		}
		for _, m := range tc.allow {
			if !slices.Contains(allowed, m) {
				e.fail(fmt.Sprintf("the Allow header is %q, want it to list %s", strings.Join(allowed, ", "), strings.Join(tc.allow, ", ")),
					"a 405 must say which methods the resource does support: keep the Allow header the mux sets")
			}
		}
	}
}

func TestDuplicateISBNIs409(t *testing.T) {
	c := newLabClient(t, "errors")
	books := c.seed(
		Book{Title: "Dune", Authors: []string{"Frank Herbert"}, ISBN: "9780441013593"},
		Book{Title: "Emma", Authors: []string{"Jane Austen"}, ISBN: "9780141439587"},
	)
	hint := "the store says ErrDuplicateISBN: the request conflicts with the state of the server, which is 409 Conflict (writeStoreError, errors.go)"

	e := c.sendJSON("POST", "/api/v1/books", `{"title":"Dune (again)","author":"Frank Herbert","isbn":"9780441013593"}`)
	e.wantProblem(http.StatusConflict, hint)

	e = c.sendJSON("PUT", fmt.Sprintf("/api/v1/books/%d", books[1].ID), `{"title":"Emma","author":"Jane Austen","isbn":"9780441013593"}`)
	e.wantProblem(http.StatusConflict, hint)

	if n := c.store.Len(); n != 2 {
		t.Fatalf("the store holds %d books after two refused requests, want 2", n)
	}
	if got, _ := c.store.Get(books[1].ID); got.ISBN != books[1].ISBN {
		t.Fatalf("a PUT answered 409 changed the book: its ISBN is now %q", got.ISBN)
	}
}
