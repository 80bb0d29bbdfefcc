//go:build labcheck

package main

import "encoding/json"

// bookV2 is a book as /api/v2/books shows it: like v1, but a book has a list of authors.
//
//	{"id": 1, "title": "The Go Programming Language", "authors": ["Alan Donovan", "Brian Kernighan"],
//	 "isbn": "9780134190440", "year": 2015}
type bookV2 struct {
	ID      int64    `json:"id"` // assigned by the server: ignored in request bodies
	Title   string   `json:"title"`
	Authors []string `json:"authors"`
	ISBN    string   `json:"isbn"`
	Year    int      `json:"year,omitempty"`
}

// v2 is the representation of /api/v2/books.
type v2 struct{}

func (v2) encode(b Book) any {
	return bookV2{ID: b.ID, Title: b.Title, Authors: b.Authors, ISBN: b.ISBN, Year: b.Year}
}

func (v2) decode(dec *json.Decoder) (Book, error) {
	var in bookV2
	if err := dec.Decode(&in); err != nil {
		return Book{}, err
	}
	return Book{Title: in.Title, Authors: in.Authors, ISBN: in.ISBN, Year: in.Year}, nil
}
