//go:build labcheck

package main

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
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
	limit := defaultLimit
	if q.Has("limit") {
		raw := q.Get("limit")
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 {
			return page{}, fmt.Errorf("limit must be a positive integer, not %q", raw)
		}
		limit = min(n, maxLimit)
	}
	var after int64
	if q.Has("cursor") {
		raw := q.Get("cursor")
		id, err := decodeCursor(raw)
		if err != nil {
			return page{}, fmt.Errorf("cursor %q was not made by this server: use the next_cursor of a previous page, or no cursor to start at the beginning", raw)
		}
		after = id
	}
	// One more than the limit: if it comes back, there is a next page. Without it, a page that
	// happens to end the list would still send the client to fetch an empty one.
	books := store.List(after, limit)
	if len(books) < limit {
		return page{books: books}, nil
	}
	books = books[:limit]
	return page{books: books, next: encodeCursor(books[limit-1].ID)}, nil
}

// A cursor is opaque to clients: base64 of "after:<id>". Clients pass it back without looking
// inside, so the server may change what it holds (a sort key, a timestamp) without breaking them.
const cursorPrefix = "after:"

func encodeCursor(afterID int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + strconv.FormatInt(afterID, 10)))
}

func decodeCursor(c string) (int64, error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, err
	}
	digits, ok := strings.CutPrefix(string(raw), cursorPrefix)
	if !ok {
		return 0, errors.New("not a cursor")
	}
	id, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || id < 0 {
		return 0, errors.New("not a cursor")
	}
	return id, nil
}

// nextLink returns the value of the Link header that points at the page after this one:
// the request's URL with ?cursor= set to next, and rel="next".
func nextLink(u *url.URL, next string) string {
	q := u.Query()
	q.Set("cursor", next) // ?limit= stays as the client sent it
	target := url.URL{Path: u.Path, RawQuery: q.Encode()}
	return fmt.Sprintf(`<%s>; rel="next"`, target.String())
}
