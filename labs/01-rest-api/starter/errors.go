package main

import (
	"encoding/json"
	"net/http"
)

// Everything here decides what a client hears when something goes wrong. Every error reply is
// application/problem+json (writeProblem, respond.go) with the status code that tells the client
// whose fault it was and whether retrying can help.

// readBook reads the request body into a Book. When the body will not do, it replies itself and
// returns ok == false.
func readBook(w http.ResponseWriter, r *http.Request, rep representation) (b Book, ok bool) {
	// TODO(errors): reply 415 Unsupported Media Type unless the Content-Type is
	// application/json (parameters like "; charset=utf-8" are fine).
	dec := json.NewDecoder(r.Body)
	// TODO(errors): reject fields this version does not know, and anything after the JSON
	// object.
	b, err := rep.decode(dec)
	if err != nil {
		// TODO(errors): a body that is not valid JSON, or has the wrong types, is the client's
		// mistake: 400 Bad Request with a problem body that says what is wrong.
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return Book{}, false
	}
	if err := validateBook(b); err != nil {
		writeProblem(w, http.StatusBadRequest, err.Error())
		return Book{}, false
	}
	return b, true
}

// validateBook says what is wrong with a book a client sent, or returns nil.
func validateBook(b Book) error {
	// TODO(errors): a title, at least one author and an ISBN are required, and none of them may
	// be blank (only spaces). Say which field is wrong: the message becomes the problem's detail.
	return nil
}

// writeStoreError replies for an error from the store.
func writeStoreError(w http.ResponseWriter, err error) {
	// TODO(errors): ErrNotFound is 404 Not Found and ErrDuplicateISBN is 409 Conflict, also
	// when a handler has wrapped them with context. Anything else is our fault: 500, with a
	// detail that reveals nothing.
	writeProblem(w, http.StatusInternalServerError, err.Error())
}

// withProblemDefaults wraps the mux so that its own replies (404 for a path no pattern matches,
// 405 for a method no pattern allows) are problem+json too.
func withProblemDefaults(mux *http.ServeMux) http.Handler {
	// TODO(errors): the mux writes those two in plain text. Make them problem+json, keep the
	// Allow header of the 405, and leave every route's own reply alone.
	return mux
}
