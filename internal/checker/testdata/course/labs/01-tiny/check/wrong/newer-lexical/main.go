//go:build labcheck

package main

import (
	"fmt"
	"log"
	"net/http"
	"strconv"
	"strings"
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
	if a >= b {
		return a
	}
	return b
}

func parts(v string) [3]int {
	var out [3]int
	for i, s := range strings.SplitN(strings.TrimPrefix(v, "v"), ".", 3) {
		out[i], _ = strconv.Atoi(s)
	}
	return out
}

func main() {
	log.Fatal(http.ListenAndServe(":8080", newServer()))
}
