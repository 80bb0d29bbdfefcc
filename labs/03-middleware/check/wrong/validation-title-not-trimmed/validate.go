//go:build labcheck

package main

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"unicode/utf8"
)

// jsonBody guards routes that take a JSON body:
//   - a Content-Type other than application/json (parameters such as "; charset=utf-8" are
//     fine) is answered 415 Unsupported Media Type;
//   - the body is limited to maxBytes: more is answered 413 Content Too Large, whether or not
//     the client announced a Content-Length.
func jsonBody(maxBytes int64) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if err != nil || mt != "application/json" {
				writeError(w, http.StatusUnsupportedMediaType, "Content-Type must be application/json")
				return
			}
			if r.ContentLength > maxBytes {
				writeError(w, http.StatusRequestEntityTooLarge, "request body too large")
				return
			}
			// A client can lie about the length or not send one (chunked): the reader
			// enforces the limit on what actually arrives.
			r.Body = http.MaxBytesReader(w, r.Body, maxBytes)
			next.ServeHTTP(w, r)
		})
	}
}

// decodeJSON decodes the request body into dst. On failure it writes the error response
// itself and returns false.
func decodeJSON(w http.ResponseWriter, r *http.Request, dst any) bool {
	if err := json.NewDecoder(r.Body).Decode(dst); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			writeError(w, http.StatusRequestEntityTooLarge, "request body too large")
			return false
		}
		writeError(w, http.StatusBadRequest, "invalid JSON: "+err.Error())
		return false
	}
	return true
}

// validate returns one message per invalid field, keyed by the JSON field name, or nil when
// the input is valid:
//
//	title: required (not blank once spaces are trimmed), at most 100 characters
//	body:  required (not empty)
//
// The notes handler answers 422 with {"error": "validation failed", "fields": <this map>}.
func (in noteInput) validate() map[string]string {
	fields := map[string]string{}
	switch title := in.Title; {
	case title == "":
		fields["title"] = "is required"
	case utf8.RuneCountInString(title) > 100:
		fields["title"] = "must be at most 100 characters"
	}
	if in.Body == "" {
		fields["body"] = "is required"
	}
	if len(fields) == 0 {
		return nil
	}
	return fields
}
