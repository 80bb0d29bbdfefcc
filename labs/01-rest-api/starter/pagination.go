package main

import (
	"net/url"
)

// Pagination of GET /api/vN/books: ?limit=N&cursor=C.
const (
	defaultLimit = 20  // books per page when there is no ?limit=
	maxLimit     = 100 // a larger ?limit= gets this many
)

// page is one page of a list: its books, and the cursor of the page after it ("" when this is
// the last page).
type page struct {
	books []Book
	next  string
}

// readPage picks the page of books that the query (?limit= and ?cursor=) asks for. An error
// means the query is wrong: the handler replies 400 with the error as the detail.
func readPage(store *Store, q url.Values) (page, error) {
	// TODO(pagination): read ?limit= (default 20, at most 100, an error if it is not a positive
	// integer) and ?cursor= (an error if it is not a cursor this server made). Fetch one book
	// more than the limit after the cursor's position: if it exists, there is a next page, and
	// next is the cursor for "after the last book on this page".
	return page{books: store.List(0, -1)}, nil // every book, on one page
}

// nextLink returns the value of the Link header that points at the page after this one:
// the request's URL with ?cursor= set to next, and rel="next".
func nextLink(u *url.URL, next string) string {
	// TODO(pagination): like </api/v1/books?cursor=abc&limit=10>; rel="next"
	return ""
}
