//go:build labcheck

package main

import (
	"fmt"
	"hash/fnv"
	"net/http"
	"strings"
)

const productMaxAge = 60

func writeProduct(w http.ResponseWriter, r *http.Request, body []byte) {
	h := fnv.New64a()
	h.Write(body)
	tag := fmt.Sprintf(`"%016x"`, h.Sum64())
	w.Header().Set("ETag", tag)
	w.Header().Set("Cache-Control", "public, max-age=60")
	if matches(r.Header.Get("If-None-Match"), tag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

// matches parses If-None-Match: a list of entity tags, or *. W/ marks a weak tag, and
// If-None-Match ignores it.
func matches(header, tag string) bool {
	header = strings.TrimSpace(header)
	if header == "*" {
		return true
	}
	for header != "" {
		header = strings.TrimLeft(header, " ,")
		header = strings.TrimPrefix(header, "W/")
		if !strings.HasPrefix(header, `"`) {
			return false
		}
		end := strings.Index(header[1:], `"`)
		if end < 0 {
			return false
		}
		if header[:end+2] == tag {
			return true
		}
		header = header[end+2:]
	}
	return false
}
