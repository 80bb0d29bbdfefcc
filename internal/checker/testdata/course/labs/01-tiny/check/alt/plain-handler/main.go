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
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/greet" {
			http.NotFound(w, r)
			return
		}
		name := "world"
		if n := r.URL.Query().Get("name"); n != "" {
			name = n
		}
		fmt.Fprintf(w, "hello, %s", name)
	})
}

// newer returns the newer of two semantic versions.
func newer(a, b string) string {
	pa, pb := parts(a), parts(b)
	for i := range pa {
		if pa[i] != pb[i] {
			if pa[i] > pb[i] {
				return a
			}
			return b
		}
	}
	return a
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
