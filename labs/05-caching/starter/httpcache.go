package main

import "net/http"

// productMaxAge is how long (in seconds) browsers and proxies may reuse a product response.
const productMaxAge = 60

// writeProduct sends the JSON of a product. body is the exact bytes from the cache or the store.
func writeProduct(w http.ResponseWriter, r *http.Request, body []byte) {
	// TODO(http-caching): give every answer an ETag derived from body and a Cache-Control
	// that lets anyone keep it for productMaxAge seconds; answer 304 Not Modified, without a
	// body, when the request's If-None-Match says the client already has this version.
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}
