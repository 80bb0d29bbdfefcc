//go:build labcheck

package main

import (
	"fmt"
	"log"
	"net/http"

	"golang.org/x/mod/semver"
)

// add returns a+b.
func add(a, b int) int {
	return a + b
}

// newServer answers GET /greet?name=X with "hello, X" ("hello, world" without a name).
func newServer() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /greet", func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Query().Get("name")
		if name == "" {
			name = "world"
		}
		fmt.Fprintf(w, "hello, %s", name)
	})
	return mux
}

// newer returns the newer of two semantic versions.
func newer(a, b string) string {
	if semver.Compare(a, b) < 0 {
		return b
	}
	return a
}

func main() {
	log.Fatal(http.ListenAndServe(":8080", newServer()))
}
