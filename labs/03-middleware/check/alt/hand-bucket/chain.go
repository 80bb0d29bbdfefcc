//go:build labcheck

package main

import (
	"net/http"
	"slices"
)

// Middleware wraps a handler in behaviour of its own.
type Middleware func(next http.Handler) http.Handler

// chain returns h wrapped so that mws[0] is the outermost: it sees the request first.
func chain(h http.Handler, mws ...Middleware) http.Handler {
	for _, mw := range slices.Backward(mws) {
		h = mw(h)
	}
	return h
}
