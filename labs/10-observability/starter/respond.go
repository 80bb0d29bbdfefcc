package main

import (
	"encoding/json"
	"net/http"
)

// This file is done.

// writeJSON writes v as a JSON response with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError writes {"error": msg} with the given status.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// fail answers {"error": public} with status and records err, the detailed cause, for the
// access log and the error tracker. The client never sees err: it may hold internal
// addresses, queries or worse.
func fail(w http.ResponseWriter, r *http.Request, status int, public string, err error) {
	setError(r, err)
	writeError(w, status, public)
}

// statusRecorder remembers the status a handler sent (lab 03 built the same thing).
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func newStatusRecorder(w http.ResponseWriter) *statusRecorder {
	return &statusRecorder{ResponseWriter: w}
}

// Status is what the client got: a handler that wrote nothing sent 200.
func (rw *statusRecorder) Status() int {
	if rw.status == 0 {
		return http.StatusOK
	}
	return rw.status
}

func (rw *statusRecorder) WriteHeader(code int) {
	if rw.status == 0 && code >= 200 {
		rw.status = code
	}
	rw.ResponseWriter.WriteHeader(code)
}

func (rw *statusRecorder) Write(b []byte) (int, error) {
	if rw.status == 0 {
		rw.status = http.StatusOK
	}
	return rw.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the writer underneath.
func (rw *statusRecorder) Unwrap() http.ResponseWriter { return rw.ResponseWriter }
