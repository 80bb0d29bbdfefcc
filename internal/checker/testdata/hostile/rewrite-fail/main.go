package main

import (
	"log"
	"net/http"
	"time"
)

// add returns a+b.
func add(a, b int) int {
	// TODO(add): return the sum
	return 0
}

// newServer answers GET /greet?name=X with "hello, X" ("hello, world" without a name).
func newServer() http.Handler {
	// Real labs take time between tests; here it gives the rewriter time to forward TestAdd.
	time.Sleep(500 * time.Millisecond)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /greet", func(w http.ResponseWriter, r *http.Request) {
		// TODO(greet): greet the caller
		http.Error(w, "not implemented", http.StatusNotImplemented)
	})
	return mux
}

// newer returns the newer of two semantic versions.
func newer(a, b string) string {
	// TODO(newer): compare the versions
	return ""
}

func main() {
	log.Fatal(http.ListenAndServe(":8080", newServer()))
}
