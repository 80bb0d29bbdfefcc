//go:build labcheck

package main

import (
	"encoding/json"
	"strings"
)

// A representation is how one version of the API shows a Book on the wire. The handlers in
// books.go are written once and serve every version: they only differ in the representation
// they are given (see routes in server.go).
type representation interface {
	// encode returns the value to send as JSON for b.
	encode(b Book) any
	// decode reads one book from a request body written in this representation.
	decode(dec *json.Decoder) (Book, error)
}

// bookV1 is a book as /api/v1/books shows it:
//
//	{"id": 1, "title": "The Go Programming Language", "author": "Alan Donovan, Brian Kernighan",
//	 "isbn": "9780134190440", "year": 2015}
type bookV1 struct {
	ID     int64  `json:"id"` // assigned by the server: ignored in request bodies
	Title  string `json:"title"`
	Author string `json:"author"`
	ISBN   string `json:"isbn"`
	Year   int    `json:"year,omitempty"`
}

// v1 is the representation of /api/v1/books. v1 was designed when a book had one author, so
// several authors are shown joined by ", ".
type v1 struct{}

func (v1) encode(b Book) any {
	return struct {
		bookV1
		Authors []string `json:"authors"`
	}{bookV1{ID: b.ID, Title: b.Title, Author: strings.Join(b.Authors, ", "), ISBN: b.ISBN, Year: b.Year}, b.Authors}
}

func (v1) decode(dec *json.Decoder) (Book, error) {
	var in bookV1
	if err := dec.Decode(&in); err != nil {
		return Book{}, err
	}
	var authors []string // no author in the body: none in the book (validateBook rejects that)
	if in.Author != "" {
		authors = []string{in.Author}
	}
	return Book{Title: in.Title, Authors: authors, ISBN: in.ISBN, Year: in.Year}, nil
}
