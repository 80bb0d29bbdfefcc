//go:build labcheck

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
		body := listBody{Data: make([]any, 0, len(pg.books)), NextCursor: pg.next}
		for _, b := range pg.books {
			body.Data = append(body.Data, rep.encode(b))
		}
		writeJSON(w, http.StatusOK, body)
	}
}

// get answers GET /api/vN/books/{id} with the book.
func (s *server) get(rep representation) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			writeStoreError(w, err)
			return
		}
		b, err := s.store.Get(id)
		if err != nil {
			writeStoreError(w, fmt.Errorf("book %d: %w", id, err))
			return
		}
		writeJSON(w, http.StatusOK, rep.encode(b))
	}
}

// create answers POST /api/vN/books: it stores the book in the body under a new ID.
func (s *server) create(rep representation) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, ok := readBook(w, r, rep)
		if !ok {
			return // readBook has replied
		}
		stored, err := s.store.Create(b)
		if err != nil {
			writeStoreError(w, fmt.Errorf("ISBN %s: %w", b.ISBN, err))
			return
		}
		w.Header().Set("Location", r.URL.Path+"/"+strconv.FormatInt(stored.ID, 10))
		writeJSON(w, http.StatusCreated, rep.encode(stored))
	}
}

// replace answers PUT /api/vN/books/{id}: the body replaces the whole book.
func (s *server) replace(rep representation) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, ok := readBook(w, r, rep)
		if !ok {
			return
		}
		id, err := pathID(r)
		if err != nil {
			writeStoreError(w, err)
			return
		}
		if old, err := s.store.Get(id); err == nil && b.Year == 0 {
			b.Year = old.Year // keep what the client did not send
		}
		stored, err := s.store.Replace(id, b)
		if err != nil {
			writeStoreError(w, fmt.Errorf("book %d (ISBN %s): %w", id, b.ISBN, err))
			return
		}
		writeJSON(w, http.StatusOK, rep.encode(stored))
	}
}

// delete answers DELETE /api/vN/books/{id}.
func (s *server) delete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		writeStoreError(w, err)
		return
	}
	if err := s.store.Delete(id); err != nil {
		writeStoreError(w, fmt.Errorf("book %d: %w", id, err))
		return
	}
	w.WriteHeader(http.StatusNoContent)
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
