//go:build labcheck

package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/url"
	"strconv"
	"strings"
)

const (
	defaultLimit = 20
	maxLimit     = 100
)

// cursorKey signs cursors so that clients cannot make their own. A real service loads it from
// its configuration and shares it between instances.
var cursorKey = []byte("bookshelf cursor key")

type page struct {
	books []Book
	next  string
}

func sign(id string) string {
	m := hmac.New(sha256.New, cursorKey)
	m.Write([]byte(id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:12])
}

func readPage(store *Store, q url.Values) (page, error) {
	limit := defaultLimit
	if q.Has("limit") {
		n, err := strconv.Atoi(q.Get("limit"))
		if err != nil || n <= 0 {
			return page{}, errors.New("limit must be a positive integer")
		}
		if n > maxLimit {
			n = maxLimit
		}
		limit = n
	}
	after := int64(0)
	if q.Has("cursor") {
		id, sig, ok := strings.Cut(q.Get("cursor"), ".")
		n, err := strconv.ParseInt(id, 10, 64)
		if !ok || err != nil || n < 0 || !hmac.Equal([]byte(sig), []byte(sign(id))) {
			return page{}, errors.New("cursor is not valid: pass back the next_cursor of a previous page")
		}
		after = n
	}
	books := store.List(after, limit+1)
	if len(books) <= limit {
		return page{books: books}, nil
	}
	last := strconv.FormatInt(books[limit-1].ID, 10)
	return page{books: books[:limit], next: last + "." + sign(last)}, nil
}

func nextLink(u *url.URL, next string) string {
	v := u.Query()
	v.Set("cursor", next)
	ref := url.URL{Path: u.Path, RawQuery: v.Encode()}
	return "<" + ref.String() + ">; rel=\"next\""
}
