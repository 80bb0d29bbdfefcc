//go:build labcheck

package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
)

// productMaxAge is how long (in seconds) browsers and proxies may reuse a product response.
const productMaxAge = 60

// writeProduct sends the JSON of a product. body is the exact bytes from the cache or the store.
func writeProduct(w http.ResponseWriter, r *http.Request, body []byte) {
	tag := etagFor(body)
	h := w.Header()
	h.Set("ETag", tag)
	h.Set("Cache-Control", fmt.Sprintf("public, max-age=%d", productMaxAge))
	if etagMatches(r.Header.Values("If-None-Match"), tag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// etagFor is a strong validator: same bytes, same tag.
func etagFor(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:16])
}

// etagMatches reports whether an If-None-Match header lists tag. It compares weakly, as
// RFC 9110 asks for If-None-Match: W/"x" matches "x".
func etagMatches(headers []string, tag string) bool {
	for _, h := range headers {
		for _, part := range strings.Split(h, ",") {
			part = strings.TrimSpace(part)
			if part == "*" || strings.TrimPrefix(part, "W/") == tag {
				return true
			}
		}
	}
	return false
}
