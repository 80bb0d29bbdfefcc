package main

import "net/http"

// productMaxAge is how long (in seconds) browsers and proxies may reuse a product response.
const productMaxAge = 60

// writeProduct sends the JSON of a product. body is the exact bytes from the cache or the store.
func writeProduct(w http.ResponseWriter, r *http.Request, body []byte) {
	// TODO(http-caching): set an ETag derived from body (for example a quoted hex SHA-256
	// prefix) and "Cache-Control: public, max-age=60" (productMaxAge). When the request's
	// If-None-Match lists that ETag (or "*"), answer 304 Not Modified with no body.
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}
