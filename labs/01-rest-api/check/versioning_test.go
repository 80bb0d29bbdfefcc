//go:build labcheck

package main

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
)

// Task versioning: /api/v2/books shows "authors", a list; /api/v1/books keeps "author".

const labV2Missing = "a 404 in plain text is the mux saying no pattern matches: register the routes under /api/v2/books (TODO(versioning) in server.go)"

// wantNoKey fails if the JSON object has the key: a version shows its own fields only.
func (e *labExchange) wantNoKey(obj map[string]any, key, why string) {
	e.c.t.Helper()
	if _, ok := obj[key]; ok {
		e.fail(fmt.Sprintf("the book has a %q field, want none: %s", key, why))
	}
}

func TestV2ShowsAuthorsArray(t *testing.T) {
	c := newLabClient(t, "versioning")
	books := c.seed(
		Book{Title: "The C Programming Language", Authors: []string{"Brian Kernighan", "Dennis Ritchie"}, ISBN: "9780131103627", Year: 1978},
		Book{Title: "Dune", Authors: []string{"Frank Herbert"}, ISBN: "9780441013593", Year: 1965},
	)
	for _, b := range books {
		e := c.get(fmt.Sprintf("/api/v2/books/%d", b.ID))
		e.wantStatus(http.StatusOK, labV2Missing)
		e.wantNoKey(e.object(), "author", `v2 replaced "author" with "authors"`)
		var got labV2Book
		e.decodeJSON(&got)
		want := labV2Book{ID: b.ID, Title: b.Title, Authors: b.Authors, ISBN: b.ISBN, Year: b.Year}
		if got.ID != want.ID || got.Title != want.Title || !slices.Equal(got.Authors, want.Authors) || got.ISBN != want.ISBN || got.Year != want.Year {
			e.fail(fmt.Sprintf("the body is %+v, want %+v", got, want),
				`v2.encode (v2.go) copies every field of the Book, with Authors as the JSON array "authors"`)
		}
	}

	e := c.get("/api/v2/books")
	e.wantStatus(http.StatusOK, labV2Missing)
	var list labList[labV2Book]
	e.decodeJSON(&list)
	if len(list.Data) != 2 || !slices.Equal(list.Data[0].Authors, books[0].Authors) || !slices.Equal(list.Data[1].Authors, books[1].Authors) {
		e.fail(fmt.Sprintf(`"data" is %+v, want the two books with their "authors"`, list.Data),
			"the list handler is the same for every version: it encodes with the representation routes() gave it")
	}

	// A book with no authors (a catalogue entry imported without them, say) still has a list.
	anon := c.seed(Book{Title: "Beowulf", ISBN: "9780393320978"})[0]
	e = c.get(fmt.Sprintf("/api/v2/books/%d", anon.ID))
	e.wantStatus(http.StatusOK, labV2Missing)
	if got, ok := e.object()["authors"]; !ok || got == nil {
		e.fail(fmt.Sprintf(`a stored book with no authors shows "authors": %v, want []`, labJSONValue(got, ok)),
			"clients loop over the list: in v2.encode, turn a nil Authors into an empty slice, which encodes as []")
	}
}

// labJSONValue describes a decoded JSON value for a message; ok false means the key was absent.
func labJSONValue(v any, ok bool) string {
	if !ok {
		return "(absent)"
	}
	if v == nil {
		return "null"
	}
	return fmt.Sprint(v)
}

func TestV2CreateAndReplaceTakeAuthorsArray(t *testing.T) {
	c := newLabClient(t, "versioning")
	e := c.sendJSON("POST", "/api/v2/books", `{"title":"The Practice of Programming","authors":["Brian Kernighan","Rob Pike"],"isbn":"9780201615869","year":1999}`)
	e.wantStatus(http.StatusCreated, labV2Missing)
	var got labV2Book
	e.decodeJSON(&got)
	wantAuthors := []string{"Brian Kernighan", "Rob Pike"}
	if got.ID <= 0 || got.Title != "The Practice of Programming" || !slices.Equal(got.Authors, wantAuthors) || got.Year != 1999 {
		e.fail(fmt.Sprintf("the body is %+v, want the new book with its ID and both authors", got))
	}
	if u, err := e.resolve(e.header.Get("Location")); err != nil || u.Path != fmt.Sprintf("/api/v2/books/%d", got.ID) {
		e.fail(fmt.Sprintf("Location: %q, want /api/v2/books/%d: a v2 client is sent to the v2 URI", e.header.Get("Location"), got.ID))
	}
	stored, err := c.store.Get(got.ID)
	if err != nil || !slices.Equal(stored.Authors, wantAuthors) {
		e.fail(fmt.Sprintf("the store holds %+v (err %v), want Authors %q", stored, err, wantAuthors),
			"v2.decode (v2.go) turns the JSON array into Book.Authors")
	}

	target := fmt.Sprintf("/api/v2/books/%d", got.ID)
	e = c.sendJSON("PUT", target, `{"title":"The Practice of Programming","authors":["Brian W. Kernighan","Rob Pike"],"isbn":"9780201615869","year":1999}`)
	e.wantStatus(http.StatusOK, labV2Missing)
	stored, _ = c.store.Get(got.ID)
	if want := []string{"Brian W. Kernighan", "Rob Pike"}; !slices.Equal(stored.Authors, want) {
		e.fail(fmt.Sprintf("after the PUT the store has Authors %q, want %q", stored.Authors, want))
	}
}

func TestV1UnchangedNextToV2(t *testing.T) {
	c := newLabClient(t, "versioning")

	// A book created through v2 with two authors, read through v1.
	e := c.sendJSON("POST", "/api/v2/books", `{"title":"The Go Programming Language","authors":["Alan Donovan","Brian Kernighan"],"isbn":"9780134190440","year":2015}`)
	e.wantStatus(http.StatusCreated, labV2Missing)
	var created labV2Book
	e.decodeJSON(&created)

	e = c.get(fmt.Sprintf("/api/v1/books/%d", created.ID))
	e.wantStatus(http.StatusOK)
	obj := e.object()
	e.wantNoKey(obj, "authors", "v1 clients were promised a single \"author\" string; v2's fields stay in v2")
	if got, _ := obj["author"].(string); got != "Alan Donovan, Brian Kernighan" {
		e.fail(fmt.Sprintf(`"author" is %q, want "Alan Donovan, Brian Kernighan": v1 shows several authors joined by ", "`, got),
			"leave v1.go as it was: v1 clients must not notice that v2 exists")
	}

	// A book created through v1, read through v2.
	e = c.sendJSON("POST", "/api/v1/books", `{"title":"Dune","author":"Frank Herbert","isbn":"9780441013593"}`)
	e.wantStatus(http.StatusCreated)
	var v1book labV1Book
	e.decodeJSON(&v1book)
	e = c.get(fmt.Sprintf("/api/v2/books/%d", v1book.ID))
	e.wantStatus(http.StatusOK, labV2Missing)
	var asV2 labV2Book
	e.decodeJSON(&asV2)
	if !slices.Equal(asV2.Authors, []string{"Frank Herbert"}) {
		e.fail(fmt.Sprintf(`"authors" is %q, want ["Frank Herbert"]: both versions show the same books`, asV2.Authors))
	}
}
