package main

import (
	"encoding/json"
	"log"
	"net/http"
)

// maxBodyBytes bounds the request bodies the server reads.
const maxBodyBytes = 1 << 20

// writeJSON replies with status and v encoded as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		log.Printf("write response: %v", err) // the client went away: nothing left to tell it
	}
}

// problem is an error body as RFC 9457 ("Problem Details for HTTP APIs") defines it.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
}

// writeProblem replies with status and an application/problem+json body.
func writeProblem(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	p := problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail}
	if err := json.NewEncoder(w).Encode(p); err != nil {
		log.Printf("write problem: %v", err)
	}
}

// notImplemented is the starter's placeholder answer for work that is still a TODO.
func notImplemented(w http.ResponseWriter, r *http.Request, todo string) {
	writeProblem(w, http.StatusNotImplemented, r.Method+" "+r.URL.Path+" is not implemented yet: see "+todo)
}
