package main

import "net/http"

// server holds what the handlers share.
type server struct {
	store *Store
	keys  *idempotencyKeys // see idempotency.go
}

// newServer returns the HTTP handler of the whole API, serving books from store.
func newServer(store *Store) http.Handler {
	s := &server{store: store, keys: newIdempotencyKeys()}
	mux := http.NewServeMux()
	s.routes(mux, "/api/v1/books", v1{})
	// TODO(versioning): serve the same routes under /api/v2/books with the v2 representation.
	return withProblemDefaults(mux)
}

// routes registers the book routes under base (like "/api/v1/books") for one representation.
// The patterns name a method, so the mux answers 405 Method Not Allowed, with an Allow header,
// when a path matches but the method does not.
func (s *server) routes(mux *http.ServeMux, base string, rep representation) {
	mux.HandleFunc("GET "+base, s.list(rep))
	mux.Handle("POST "+base, s.idempotent(s.create(rep)))
	mux.HandleFunc("GET "+base+"/{id}", s.get(rep))
	mux.HandleFunc("PUT "+base+"/{id}", s.replace(rep))
	mux.HandleFunc("DELETE "+base+"/{id}", s.delete)
}
