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
		var m map[string]string
		m[r.URL.Query().Get("name")] = "x" // nil map: panics
		fmt.Fprint(w, "hello")
	})
	return mux
}

func newer(a, b string) string {
	if a > b {
		return a
	}
	return b
}

func main() { log.Fatal(http.ListenAndServe(":8080", newServer())) }
