//go:build labcheck

package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log"
	"net/http"
	"net/http/httputil"
	"strings"
	"time"
)

// services the gateway routes: /api/{name} and /api/{name}/... go to the service {name}.
var services = []string{"users", "orders"}

// newGateway builds the API gateway: one entry point for clients, in front of the services.
// The hidden tests call it, so keep its signature.
//
//	/api/users, /api/users/...    -> users  (/api stripped: /api/users/42 -> /users/42)
//	/api/orders, /api/orders/...  -> orders
//	anything else                 -> 404 {"error": ...}
func newGateway(res Resolver, now func() time.Time) http.Handler {
	proxy := &httputil.ReverseProxy{
		Rewrite:   rewrite,
		Transport: newBalancer(res, now),
		ModifyResponse: func(res *http.Response) error {
			// The gateway has already set X-Request-ID on its response: do not repeat it.
			res.Header.Del("X-Request-ID")
			return nil
		},
		ErrorHandler: proxyError,
	}
	mux := http.NewServeMux()
	for _, name := range services {
		mux.Handle("GET /api/"+name, proxy)
		mux.Handle("GET /api/"+name+"/", proxy)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no route for "+r.URL.Path)
	})
	return withRequestID(mux)
}

// rewrite turns the request the gateway received into the one a service gets.
func rewrite(pr *httputil.ProxyRequest) {
	service := serviceOf(pr.In.URL.Path)
	pr.Out.URL.Scheme = "http"
	pr.Out.URL.Host = service // the balancer resolves the name to an instance
	pr.Out.URL.Path = strings.TrimPrefix(pr.In.URL.Path, "/api")
	pr.Out.URL.RawPath = strings.TrimPrefix(pr.In.URL.RawPath, "/api")
	pr.Out.Host = ""
	pr.SetXForwarded() // X-Forwarded-For, -Host, -Proto from the request the gateway received
}

// serviceOf is the service a gateway path belongs to: "users" for /api/users/42.
func serviceOf(path string) string {
	rest := strings.TrimPrefix(path, "/api/")
	name, _, _ := strings.Cut(rest, "/")
	return name
}

// withRequestID makes sure every request has an X-Request-ID (the client's, or a new one),
// which the proxy forwards, and puts it on the response too.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-ID")
		if id == "" || len(id) > 128 {
			id = newRequestID()
			r = r.Clone(r.Context())
			r.Header.Set("X-Request-ID", id)
		}
		w.Header().Set("X-Request-ID", id)
		next.ServeHTTP(w, r)
	})
}

func newRequestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// proxyError answers when no instance could be reached: 503 when there is none to try, 502
// when every attempt failed. r is the outbound request: its URL.Host is the service.
func proxyError(w http.ResponseWriter, r *http.Request, err error) {
	service := r.URL.Host
	log.Printf("gateway %s %s: %v", r.Method, r.URL.Path, err)
	if errors.Is(err, errNoInstances) {
		writeError(w, http.StatusServiceUnavailable, "no instance of "+service+" is available")
		return
	}
	writeError(w, http.StatusBadGateway, service+" did not answer")
}
