//go:build labcheck

package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
)

const (
	defaultLimit = 20
	maxLimit     = 100
)

type page struct {
	books []Book
	next  string
}

type cursor struct {
	After int64 `json:"a"`
	V     int   `json:"v"`
}

func readPage(store *Store, q url.Values) (page, error) {
	limit := defaultLimit
	if raw, ok := q["limit"]; ok {
		n, err := strconv.ParseUint(raw[0], 10, 31)
		if err != nil || n == 0 {
			return page{}, fmt.Errorf("limit: want a whole number from 1 to %d, got %q", maxLimit, raw[0])
		}
		limit = int(min(n, maxLimit))
	}
	var c cursor
	if raw, ok := q["cursor"]; ok {
		b, err := base64.URLEncoding.DecodeString(raw[0])
		if err == nil {
			err = json.Unmarshal(b, &c)
		}
		if err == nil && (c.V != 1 || c.After < 0) {
			err = errors.New("unknown cursor")
		}
		if err != nil {
			return page{}, fmt.Errorf("cursor %q is not one this server made", raw[0])
		}
	}
	books := store.List(c.After, limit+1)
	p := page{books: books}
	if len(books) > limit {
		p.books = books[:limit]
		b, _ := json.Marshal(cursor{After: p.books[limit-1].ID, V: 1})
		p.next = base64.URLEncoding.EncodeToString(b)
	}
	return p, nil
}

func nextLink(u *url.URL, next string) string {
	q := u.Query()
	q.Set("cursor", next)
	return "<" + u.Path + "?" + q.Encode() + `>; rel="next"`
}
