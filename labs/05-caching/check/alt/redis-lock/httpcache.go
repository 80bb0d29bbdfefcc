//go:build labcheck

package main

import (
	"crypto/sha1"
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
)

const productMaxAge = 60

// writeProduct sends a weak ETag: W/"..." says "equivalent content", which is all a JSON
// body served from two sources can promise.
func writeProduct(w http.ResponseWriter, r *http.Request, body []byte) {
	sum := sha1.Sum(body)
	tag := `W/"` + base64.RawURLEncoding.EncodeToString(sum[:]) + `"`
	h := w.Header()
	h.Set("ETag", tag)
	h.Set("Cache-Control", "max-age=60, public")
	var listed []string
	for _, v := range r.Header.Values("If-None-Match") {
		for _, part := range strings.Split(v, ",") {
			listed = append(listed, strings.TrimPrefix(strings.TrimSpace(part), "W/"))
		}
	}
	if slices.Contains(listed, "*") || slices.Contains(listed, strings.TrimPrefix(tag, "W/")) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", "application/json; charset=utf-8")
	w.Write(body)
}
