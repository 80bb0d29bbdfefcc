// Command bookshelf serves a small REST API of books:
//
//	go run .
//	curl -i localhost:8080/api/v1/books
//
// It listens on :8080, or on $PORT when it is set. Books live in memory: a restart forgets them.
package main

import (
	"cmp"
	"log"
	"net/http"
	"os"
	"time"
)

func main() {
	store := NewStore()
	seed(store)
	addr := ":" + cmp.Or(os.Getenv("PORT"), "8080")
	srv := &http.Server{
		Addr:              addr,
		Handler:           newServer(store),
		ReadHeaderTimeout: 5 * time.Second,
	}
	log.Printf("bookshelf listening on %s (try: curl -i localhost%s/api/v1/books)", addr, addr)
	log.Fatal(srv.ListenAndServe())
}

// seed puts a few books in the store, so there is something to look at with curl.
func seed(store *Store) {
	for _, b := range []Book{
		{Title: "The Go Programming Language", Authors: []string{"Alan Donovan", "Brian Kernighan"}, ISBN: "9780134190440", Year: 2015},
		{Title: "Designing Data-Intensive Applications", Authors: []string{"Martin Kleppmann"}, ISBN: "9781449373320", Year: 2017},
		{Title: "RESTful Web APIs", Authors: []string{"Leonard Richardson", "Mike Amundsen", "Sam Ruby"}, ISBN: "9781449358068", Year: 2013},
	} {
		if _, err := store.Create(b); err != nil {
			log.Fatalf("seed: %v", err)
		}
	}
}
