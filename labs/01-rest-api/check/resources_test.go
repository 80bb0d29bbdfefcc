//go:build labcheck

package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// Task resources: CRUD on /api/v1/books.

func TestCreateBookReturns201AndLocation(t *testing.T) {
	c := newLabClient(t, "resources")
	e := c.sendJSON("POST", "/api/v1/books", `{"title":"Dune","author":"Frank Herbert","isbn":"9780441013593","year":1965}`)
	e.wantStatus(201, "a POST that creates something answers 201 Created, not 200")

	var got labV1Book
	e.decodeJSON(&got)
	if got.ID <= 0 {
		e.fail(fmt.Sprintf(`the body has "id": %d, want the ID the store gave the book`, got.ID),
			"reply with the book that s.store.Create returns: the one you sent it has no ID yet")
	}
	want := labV1Book{ID: got.ID, Title: "Dune", Author: "Frank Herbert", ISBN: "9780441013593", Year: 1965}
	if got != want {
		e.fail(fmt.Sprintf("the body is %+v, want %+v", got, want), "reply with rep.encode(stored)")
	}

	loc := e.header.Get("Location")
	wantPath := fmt.Sprintf("/api/v1/books/%d", got.ID)
	if loc == "" {
		e.fail("no Location header, want one naming the new book: "+wantPath,
			`w.Header().Set("Location", ...) before writeJSON: headers set after WriteHeader are lost`)
	}
	if u, err := e.resolve(loc); err != nil || u.Path != wantPath {
		e.fail(fmt.Sprintf("Location: %s names %s, want %s", loc, u, wantPath))
	}

	stored, err := c.store.Get(got.ID)
	if err != nil {
		e.fail(fmt.Sprintf("store.Get(%d) after the POST: %v, want the new book", got.ID, err))
	}
	if stored.Title != "Dune" || !slices.Equal(stored.Authors, []string{"Frank Herbert"}) {
		e.fail(fmt.Sprintf("the store holds %+v, want the book that was sent", stored))
	}

	second := c.sendJSON("POST", "/api/v1/books", `{"title":"Emma","author":"Jane Austen","isbn":"9780141439587"}`)
	second.wantStatus(201)
	var got2 labV1Book
	second.decodeJSON(&got2)
	if got2.ID == got.ID {
		second.fail(fmt.Sprintf("the second book got id %d, like the first", got2.ID))
	}
}

func TestGetBookReturnsIt(t *testing.T) {
	c := newLabClient(t, "resources")
	books := c.seed(
		Book{Title: "Dune", Authors: []string{"Frank Herbert"}, ISBN: "9780441013593", Year: 1965},
		Book{Title: "The C Programming Language", Authors: []string{"Brian Kernighan", "Dennis Ritchie"}, ISBN: "9780131103627", Year: 1978},
	)
	for _, b := range books {
		e := c.get(fmt.Sprintf("/api/v1/books/%d", b.ID))
		e.wantStatus(200)
		var got labV1Book
		e.decodeJSON(&got)
		want := labV1Book{ID: b.ID, Title: b.Title, Author: strings.Join(b.Authors, ", "), ISBN: b.ISBN, Year: b.Year}
		if got != want {
			e.fail(fmt.Sprintf("the body is %+v, want %+v", got, want),
				"find the book with pathID(r) and s.store.Get, reply writeJSON(w, 200, rep.encode(b))")
		}
	}
}

func TestListBooksReturnsData(t *testing.T) {
	c := newLabClient(t, "resources")

	e := c.get("/api/v1/books")
	e.wantStatus(200)
	obj := e.object()
	if data, ok := obj["data"].([]any); !ok || len(data) != 0 {
		e.fail(`with no books, want {"data": []}: an empty list, not null or a missing key`,
			"make([]any, 0) encodes as [], a nil slice as null")
	}

	books := c.seed(
		Book{Title: "Dune", Authors: []string{"Frank Herbert"}, ISBN: "9780441013593", Year: 1965},
		Book{Title: "Emma", Authors: []string{"Jane Austen"}, ISBN: "9780141439587", Year: 1815},
		Book{Title: "Ulysses", Authors: []string{"James Joyce"}, ISBN: "9780199535675", Year: 1922},
	)
	e = c.get("/api/v1/books")
	e.wantStatus(200)
	var list labList[labV1Book]
	e.decodeJSON(&list)
	if len(list.Data) != len(books) {
		e.fail(fmt.Sprintf(`"data" holds %d books, want %d`, len(list.Data), len(books)))
	}
	for i, b := range books {
		want := labV1Book{ID: b.ID, Title: b.Title, Author: b.Authors[0], ISBN: b.ISBN, Year: b.Year}
		if list.Data[i] != want {
			e.fail(fmt.Sprintf(`"data"[%d] is %+v, want %+v (books in ID order, as store.List returns them)`, i, list.Data[i], want))
		}
	}
}

func TestReplaceBookReplacesEveryField(t *testing.T) {
	c := newLabClient(t, "resources")
	b := c.seed(Book{Title: "Dun", Authors: []string{"F. Herbert"}, ISBN: "9780441013593", Year: 1965})[0]
	target := fmt.Sprintf("/api/v1/books/%d", b.ID)

	// No "year": after a PUT the book has no year, because PUT replaces the whole book.
	e := c.sendJSON("PUT", target, `{"title":"Dune","author":"Frank Herbert","isbn":"9780441013593"}`)
	e.wantStatus(200)
	var got labV1Book
	e.decodeJSON(&got)
	want := labV1Book{ID: b.ID, Title: "Dune", Author: "Frank Herbert", ISBN: "9780441013593"}
	if got != want {
		hint := "reply with the book s.store.Replace returns"
		if got.Year == 1965 {
			hint = `the body had no "year", so the book has none now: PUT replaces the whole book, it does not merge (that is PATCH)`
		}
		e.fail(fmt.Sprintf("the body is %+v, want %+v", got, want), hint)
	}
	stored, err := c.store.Get(b.ID)
	if err != nil || stored.Title != "Dune" || stored.Year != 0 {
		e.fail(fmt.Sprintf("after the PUT the store holds %+v (err %v), want title Dune and no year", stored, err),
			"s.store.Replace(id, b) stores the new version")
	}
	if n := c.store.Len(); n != 1 {
		e.fail(fmt.Sprintf("the store holds %d books after the PUT, want 1: PUT replaces the book at this URI, it does not add one", n))
	}
}

func TestDeleteBookReturns204(t *testing.T) {
	c := newLabClient(t, "resources")
	books := c.seed(
		Book{Title: "Dune", Authors: []string{"Frank Herbert"}, ISBN: "9780441013593"},
		Book{Title: "Emma", Authors: []string{"Jane Austen"}, ISBN: "9780141439587"},
	)
	e := c.do("DELETE", fmt.Sprintf("/api/v1/books/%d", books[0].ID), "")
	e.wantStatus(204, "a DELETE with nothing to say answers 204 No Content: w.WriteHeader(http.StatusNoContent)")
	if len(e.body) > 0 {
		e.fail("got a body with 204, want none: 204 means no content")
	}
	if _, err := c.store.Get(books[0].ID); !errors.Is(err, ErrNotFound) {
		e.fail(fmt.Sprintf("store.Get(%d) after the DELETE: err = %v, want ErrNotFound", books[0].ID, err),
			"call s.store.Delete(id)")
	}
	if _, err := c.store.Get(books[1].ID); err != nil {
		e.fail(fmt.Sprintf("store.Get(%d), the other book, after the DELETE: %v, want it still there", books[1].ID, err))
	}
}
