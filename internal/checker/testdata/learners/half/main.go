package main

import (
	"fmt"
	"log"
	"net/http"
)

func add(a, b int) int { return a + b }

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

// TODO(newer): compare the versions
func newer(a, b string) string { return "" }

func main() { log.Fatal(http.ListenAndServe(":8080", newServer())) }
