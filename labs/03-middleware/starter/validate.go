package main

import (
	"encoding/json"
	"net/http"
)

// jsonBody guards routes that take a JSON body:
//   - a Content-Type other than application/json (parameters such as "; charset=utf-8" are
//     fine) is answered 415 Unsupported Media Type;
//   - the body is limited to maxBytes: more is answered 413 Content Too Large, whether or not
//     the client announced a Content-Length.
func jsonBody(maxBytes int64) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// TODO(validation): 415 unless the media type is application/json; 413 for a body
			// over maxBytes, whether its length is announced or not.
			next.ServeHTTP(w, r)
		})
	}
}

// decodeJSON decodes the request body into dst. On failure it writes the error response
// itself and returns false.
func decodeJSON(w http.ResponseWriter, r *http.Request, dst any) bool {
	if err := json.NewDecoder(r.Body).Decode(dst); err != nil {
		// TODO(validation): a body cut off by the size limit is not a client typo: 413, not
		// 400.
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
	// TODO(validation): check every field and collect every problem, not just the first.
	return nil
}
