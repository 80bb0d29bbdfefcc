package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// newServer returns the handler of the whole service: the probes and a small API.
func newServer(h *health) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /livez", h.live)
	mux.HandleFunc("GET /readyz", h.ready)
	mux.HandleFunc("GET /api/v1/books", listBooks)
	mux.HandleFunc("POST /api/v1/import", importBooks)
	return mux
}

type book struct {
	Title  string `json:"title"`
	Author string `json:"author"`
}

func listBooks(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"data": []book{
		{Title: "The Go Programming Language", Author: "Alan Donovan"},
		{Title: "Site Reliability Engineering", Author: "Betsy Beyer"},
		{Title: "Kubernetes in Action", Author: "Marko Lukša"},
	}})
}

// importBooks takes a stream of titles, one per line, for as long as the client sends them.
// It answers 200 and "importing" at once, then "imported N books" when the body ends. It is
// the long request of this lab: the graceful-shutdown tests keep one in flight while they send
// SIGTERM, and decide when it ends by finishing the body.
func importBooks(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	// HTTP/1.1 handlers may not read the body after writing the response unless they ask.
	if err := rc.EnableFullDuplex(); err != nil {
		http.Error(w, "full duplex unsupported: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, "importing\n")
	rc.Flush()

	n := 0
	sc := bufio.NewScanner(r.Body)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) != "" {
			n++
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintf(w, "error after %d books: %v\n", n, err)
		return
	}
	fmt.Fprintf(w, "imported %d books\n", n)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
