//go:build labcheck

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"strings"
)

// Everything here decides what a client hears when something goes wrong. Every error reply is
// application/problem+json (writeProblem, respond.go) with the status code that tells the client
// whose fault it was and whether retrying can help.

// readBook reads the request body into a Book. When the body will not do, it replies itself and
// returns ok == false.
func readBook(w http.ResponseWriter, r *http.Request, rep representation) (b Book, ok bool) {
	ct := r.Header.Get("Content-Type")
	if ct != "application/json" {
		writeProblem(w, http.StatusUnsupportedMediaType,
			fmt.Sprintf("the body must be JSON, sent with Content-Type: application/json (got %q)", ct))
		return Book{}, false
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	dec.DisallowUnknownFields()
	b, err := rep.decode(dec)
	if err == nil {
		// One JSON value per body: "{...} {...}" or "{...} junk" is a mistake too.
		if _, terr := dec.Token(); terr != io.EOF {
			err = errors.New("unexpected data after the JSON object")
		}
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeProblem(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes", tooBig.Limit))
			return Book{}, false
		}
		writeProblem(w, http.StatusBadRequest, "the body is not a valid book: "+describeJSONError(err))
		return Book{}, false
	}
	if err := validateBook(b); err != nil {
		writeProblem(w, http.StatusBadRequest, err.Error())
		return Book{}, false
	}
	return b, true
}

// describeJSONError turns a decoding error into a sentence for the client.
func describeJSONError(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return "the body is empty"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON ends too early"
	case errors.As(err, &syntax):
		return fmt.Sprintf("malformed JSON at byte %d: %v", syntax.Offset, syntax)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %q must be a JSON %s, not %s", typ.Field, jsonKind(typ.Type.Kind().String()), typ.Value)
	}
	return strings.TrimPrefix(err.Error(), "json: ") // like `unknown field "tittle"`
}

// jsonKind names a Go kind the way a JSON client thinks of it.
func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "slice", "array":
		return "array"
	case "struct", "map":
		return "object"
	case "bool":
		return "boolean"
	}
	return "number"
}

// validateBook says what is wrong with a book a client sent, or returns nil.
func validateBook(b Book) error {
	var wrong []string
	if strings.TrimSpace(b.Title) == "" {
		wrong = append(wrong, "title is required")
	}
	if len(b.Authors) == 0 {
		wrong = append(wrong, "at least one author is required")
	}
	for i, a := range b.Authors {
		if strings.TrimSpace(a) == "" {
			wrong = append(wrong, fmt.Sprintf("author %d is blank", i+1))
		}
	}
	if strings.TrimSpace(b.ISBN) == "" {
		wrong = append(wrong, "isbn is required")
	}
	if len(wrong) > 0 {
		return errors.New(strings.Join(wrong, "; "))
	}
	return nil
}

// writeStoreError replies for an error from the store.
func writeStoreError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, ErrNotFound):
		writeProblem(w, http.StatusNotFound, err.Error())
	case errors.Is(err, ErrDuplicateISBN):
		writeProblem(w, http.StatusConflict, err.Error())
	default:
		// The details are for our logs, not for the client: they may say more than it should know.
		log.Printf("internal error: %v", err)
		writeProblem(w, http.StatusInternalServerError, "something went wrong on our side")
	}
}

// withProblemDefaults wraps the mux so that its own replies (404 for a path no pattern matches,
// 405 for a method no pattern allows) are problem+json too.
func withProblemDefaults(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern != "" {
			mux.ServeHTTP(w, r) // a route matched (or a redirect): nothing to change
			return
		}
		// No pattern matched: the mux will answer 404, or 405 with an Allow header. Let it
		// decide which, and write the body ourselves.
		mux.ServeHTTP(&problemWriter{ResponseWriter: w, r: r}, r)
	})
}

// problemWriter turns the mux's plain-text 404 and 405 into problem+json.
type problemWriter struct {
	http.ResponseWriter
	r        *http.Request
	replaced bool // the mux's own body is dropped
}

func (p *problemWriter) WriteHeader(status int) {
	switch status {
	case http.StatusNotFound:
		p.replaced = true
		writeProblem(p.ResponseWriter, status, fmt.Sprintf("nothing here: %s is not a resource of this API", p.r.URL.Path))
	case http.StatusMethodNotAllowed:
		p.replaced = true
		allow := p.Header().Get("Allow") // set by the mux before WriteHeader
		writeProblem(p.ResponseWriter, status, fmt.Sprintf("%s does not support %s (it supports %s)", p.r.URL.Path, p.r.Method, allow))
	default:
		p.ResponseWriter.WriteHeader(status)
	}
}

func (p *problemWriter) Write(b []byte) (int, error) {
	if p.replaced {
		return len(b), nil
	}
	return p.ResponseWriter.Write(b)
}
