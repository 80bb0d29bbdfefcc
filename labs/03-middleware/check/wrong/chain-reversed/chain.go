//go:build labcheck

package main

import "net/http"

// Middleware wraps a handler in another handler: code before next.ServeHTTP runs on the way
// in, code after it on the way out.
type Middleware func(next http.Handler) http.Handler

// chain wraps h in mws so that mws[0] is the outermost: a request meets mws[0] first, then
// mws[1], ..., then h; the response travels back in the opposite order.
//
//	chain(h, a, b, c) is a(b(c(h)))
func chain(h http.Handler, mws ...Middleware) http.Handler {
	// Wrap from the inside out: the last middleware is applied first.
	for _, mw := range mws {
		h = mw(h)
	}
	return h
}
