package main

import "encoding/json"

// bookV2 is a book as /api/v2/books shows it: like v1, but a book has a list of authors.
//
//	{"id": 1, "title": "The Go Programming Language", "authors": ["Alan Donovan", "Brian Kernighan"],
//	 "isbn": "9780134190440", "year": 2015}
type bookV2 struct {
	// TODO(versioning): the fields of bookV1 (v1.go), but "authors", a JSON array of strings,
	// instead of "author".
}

// v2 is the representation of /api/v2/books.
type v2 struct{}

func (v2) encode(b Book) any {
	// TODO(versioning): b as a bookV2.
	return bookV2{}
}

func (v2) decode(dec *json.Decoder) (Book, error) {
	// TODO(versioning): decode a bookV2 and return it as a Book (see v1.decode).
	var in bookV2
	err := dec.Decode(&in)
	return Book{}, err
}
