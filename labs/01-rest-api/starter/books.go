package main

import (
	"fmt"
	"net/http"
	"strconv"
)

// The handlers of /api/vN/books. Each one is built for a representation (v1, v2), so the same
// code serves every version.
//
// Useful pieces, already written:
//   - pathID(r) reads the {id} of the URL.
//   - s.store.Create / Get / Replace / Delete / List (store.go).
//   - rep.encode(b) turns a Book into what this version sends.
//   - readBook(w, r, rep) reads the request body into a Book (errors.go).
//   - writeJSON(w, status, v) and writeStoreError(w, err) reply (respond.go, errors.go).

// listBody is the body of GET /api/vN/books. The list sits in an envelope, so that fields like
// next_cursor can be added next to it without breaking clients.
type listBody struct {
	Data       []any  `json:"data"`                  // never null: an empty page is []
	NextCursor string `json:"next_cursor,omitempty"` // absent on the last page
}

// list answers GET /api/vN/books with one page of books.
func (s *server) list(rep representation) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		pg, err := readPage(s.store, r.URL.Query()) // pagination.go picks the page
		if err != nil {
			writeProblem(w, http.StatusBadRequest, err.Error())
			return
		}
		if pg.next != "" {
			w.Header().Set("Link", nextLink(r.URL, pg.next))
		}
		// TODO(resources): reply 200 with a listBody: Data holds rep.encode(b) for each book of
		// pg.books (an empty page is an empty list, not null), NextCursor is pg.next.
		notImplemented(w, r, "TODO(resources) in books.go")
	}
}

// get answers GET /api/vN/books/{id} with the book.
func (s *server) get(rep representation) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		// TODO(resources): find the book (pathID, s.store.Get) and reply 200 with it. On an
		// error, writeStoreError(w, err) picks the status.
		notImplemented(w, r, "TODO(resources) in books.go")
	}
}

// create answers POST /api/vN/books: it stores the book in the body under a new ID.
func (s *server) create(rep representation) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, ok := readBook(w, r, rep)
		if !ok {
			return // readBook has replied
		}
		// TODO(resources): store b (s.store.Create), then reply 201 Created with the stored book
		// and a Location header naming it: r.URL.Path + "/" + its ID, like /api/v1/books/7.
		_ = b
		notImplemented(w, r, "TODO(resources) in books.go")
	}
}

// replace answers PUT /api/vN/books/{id}: the body replaces the whole book.
func (s *server) replace(rep representation) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, ok := readBook(w, r, rep)
		if !ok {
			return
		}
		// TODO(resources): replace the book (pathID, s.store.Replace) and reply 200 with the
		// stored book. A field missing from the body is gone from the book afterwards: PUT
		// replaces, it does not merge.
		_ = b
		notImplemented(w, r, "TODO(resources) in books.go")
	}
}

// delete answers DELETE /api/vN/books/{id}.
func (s *server) delete(w http.ResponseWriter, r *http.Request) {
	// TODO(resources): delete the book (pathID, s.store.Delete) and reply 204 No Content,
	// with no body.
	notImplemented(w, r, "TODO(resources) in books.go")
}

// pathID returns the {id} of the request's URL. An id that is not a number cannot name a
// book, so it is reported as ErrNotFound, like a number that names no book.
func pathID(r *http.Request) (int64, error) {
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("%w: %q is not a book id", ErrNotFound, raw)
	}
	return id, nil
}
