// Command shop is a small, finished checkout service: prices, a quote endpoint, a checkout
// that charges a card and reserves stock, an order store on PostgreSQL and shareable cart
// codes. The code works. Your job in this lab is the tests: *_test.go files next to it.
//
//	go run .                                   # POST /quote on :8080
//	curl -s -XPOST localhost:8080/quote -d '{"customer":"ada","items":[{"sku":"MUG","unit_price_cents":1250,"qty":8}]}'
//	go test ./...                              # your tests, against this code
package main

import (
	"log"
	"net/http"
	"os"
)

func main() {
	addr := ":8080"
	if port := os.Getenv("PORT"); port != "" {
		addr = ":" + port
	}
	log.Printf("shop listening on %s", addr)
	log.Fatal(http.ListenAndServe(addr, newServer()))
}
