package main

import (
	"fmt"
	"log"
	"net/http"
	"strings"
)

func add(a, b int) int {
	line := strings.Repeat("x", 99)
	for i := 0; i < 500_000; i++ { // 50 MB
		fmt.Println(line)
	}
	return a + b
}

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

func newer(a, b string) string { return "" }

func main() { log.Fatal(http.ListenAndServe(":8080", newServer())) }
