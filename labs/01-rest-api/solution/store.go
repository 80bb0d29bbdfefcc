package main

import (
	"cmp"
	"errors"
	"slices"
	"sync"
)

// Book is a book as the service keeps it. What a client sees on the wire is a representation
// of it, and each API version has its own (see v1.go and v2.go).
type Book struct {
	ID      int64
	Title   string
	Authors []string
	ISBN    string
	Year    int // 0 when unknown
}

// Errors the store returns. Handlers turn them into status codes (see errors.go).
var (
	ErrNotFound      = errors.New("no such book")
	ErrDuplicateISBN = errors.New("another book has this ISBN")
)

// Store keeps books in memory, safe for concurrent use. IDs are assigned in increasing order
// and never reused, which is what makes cursor pagination by ID stable (see pagination.go).
type Store struct {
	mu     sync.Mutex
	books  map[int64]Book
	lastID int64
}

// NewStore returns an empty store.
func NewStore() *Store {
	return &Store{books: map[int64]Book{}}
}

// Create stores b under a new ID and returns the stored book.
func (s *Store) Create(b Book) (Book, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.isbnTaken(b.ISBN, 0) {
		return Book{}, ErrDuplicateISBN
	}
	s.lastID++
	b.ID = s.lastID
	b.Authors = slices.Clone(b.Authors)
	s.books[b.ID] = b
	return clone(b), nil
}

// Get returns the book with that ID.
func (s *Store) Get(id int64) (Book, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.books[id]
	if !ok {
		return Book{}, ErrNotFound
	}
	return clone(b), nil
}

// Replace replaces every field of the book with that ID by b's (b.ID is ignored).
func (s *Store) Replace(id int64, b Book) (Book, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.books[id]; !ok {
		return Book{}, ErrNotFound
	}
	if s.isbnTaken(b.ISBN, id) {
		return Book{}, ErrDuplicateISBN
	}
	b.ID = id
	b.Authors = slices.Clone(b.Authors)
	s.books[id] = b
	return clone(b), nil
}

// Delete removes the book with that ID.
func (s *Store) Delete(id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.books[id]; !ok {
		return ErrNotFound
	}
	delete(s.books, id)
	return nil
}

// List returns up to n books (every one when n < 0) whose ID is greater than afterID, in
// increasing ID order. List(0, n) starts at the beginning.
func (s *Store) List(afterID int64, n int) []Book {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Book
	for _, b := range s.books {
		if b.ID > afterID {
			out = append(out, clone(b))
		}
	}
	slices.SortFunc(out, func(a, b Book) int { return cmp.Compare(a.ID, b.ID) })
	if n >= 0 && len(out) > n {
		out = out[:n]
	}
	return out
}

// Len returns how many books the store holds.
func (s *Store) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.books)
}

// isbnTaken reports whether a book other than the one with ID except has this ISBN.
func (s *Store) isbnTaken(isbn string, except int64) bool {
	for id, b := range s.books {
		if id != except && b.ISBN == isbn {
			return true
		}
	}
	return false
}

func clone(b Book) Book {
	b.Authors = slices.Clone(b.Authors)
	return b
}
