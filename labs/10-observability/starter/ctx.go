package main

import (
	"context"
	"crypto/rand"
	"net/http"
	"strings"
)

// This file is done: every task uses it.

// Middleware wraps a handler in another one (lab 03).
type Middleware func(next http.Handler) http.Handler

// chain(h, a, b, c) is a(b(c(h))): a runs first on the way in and last on the way out.
func chain(h http.Handler, mws ...Middleware) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

// requestInfo is what every layer of one request shares. withRequestInfo, the outermost
// middleware, creates it; the layers below fill it in:
//
//   - matchRoute, the innermost, records the ServeMux pattern that matched;
//   - a handler that fails records the error with fail (respond.go).
//
// The layers above read it back with routeOf and errorOf after next.ServeHTTP returns. Why
// not r.Pattern? The mux writes the pattern into the *http.Request it is given, and every
// middleware that calls r.WithContext(...) hands the next one a copy: a layer above the
// copy never sees it. A pointer in the context is seen by all of them.
type requestInfo struct {
	id    string
	route string // the path part of the matched pattern, "" when nothing matched
	err   error  // why the request failed, if a handler said so
}

type infoKey struct{}

func infoFrom(ctx context.Context) *requestInfo {
	info, _ := ctx.Value(infoKey{}).(*requestInfo)
	return info
}

// unmatched is the route of a request that no pattern matched (404, 405): one label value
// for every unknown path, so that a scanner trying ten thousand URLs adds one series, not
// ten thousand.
const unmatched = "unmatched"

// routeOf is the route that served r, like "/api/v1/rates/{currency}", or "unmatched". It is
// known once the request has reached the mux: read it after next.ServeHTTP returns.
func routeOf(r *http.Request) string {
	if info := infoFrom(r.Context()); info != nil && info.route != "" {
		return info.route
	}
	return unmatched
}

// errorOf is the error a handler recorded with fail (or a recovered panic), nil if none.
func errorOf(r *http.Request) error {
	if info := infoFrom(r.Context()); info != nil {
		return info.err
	}
	return nil
}

// setError records why the request failed, for the logs and the error tracker.
func setError(r *http.Request, err error) {
	if info := infoFrom(r.Context()); info != nil {
		info.err = err
	}
}

// requestIDFrom is the request's id (X-Request-ID), "" outside a request.
func requestIDFrom(ctx context.Context) string {
	if info := infoFrom(ctx); info != nil {
		return info.id
	}
	return ""
}

// withRequestInfo is the outermost middleware: it keeps the client's X-Request-ID when it
// looks like an id (lab 03) or makes one, sends it back, and puts the requestInfo in the
// context.
func withRequestInfo() Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id := r.Header.Get("X-Request-ID")
			if !validRequestID(id) {
				id = rand.Text()
			}
			w.Header().Set("X-Request-ID", id)
			info := &requestInfo{id: id}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), infoKey{}, info)))
		})
	}
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range []byte(id) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// matchRoute asks the mux which pattern matches before serving, and records its path part
// ("GET /api/v1/rates/{currency}" → "/api/v1/rates/{currency}") in the requestInfo.
func matchRoute(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern != "" {
			if info := infoFrom(r.Context()); info != nil {
				if i := strings.IndexByte(pattern, '/'); i >= 0 {
					pattern = pattern[i:] // drop the method and the host, if any
				}
				info.route = pattern
			}
		}
		mux.ServeHTTP(w, r)
	})
}
