package main

import (
	"log"
	"net/http"
)

// serve runs srv until the process is stopped.
//
// TODO(graceful-shutdown): stop gracefully on SIGTERM (what Kubernetes and `docker stop`
// send) and SIGINT (Ctrl-C). Catch them with signal.NotifyContext, serve in a goroutine, and
// when the signal comes:
//  1. h.startDraining(), so that /readyz answers 503;
//  2. keep serving for cfg.ShutdownDelay (load balancers need that time to notice);
//  3. srv.Shutdown with a context of cfg.ShutdownTimeout: it stops accepting connections and
//     waits for the requests in flight. Return nil when it succeeds (main exits 0); when it
//     times out, srv.Close() and return the error (main exits 1).
//
// As it is, SIGTERM kills the process on the spot, requests in flight included.
func serve(cfg Config, srv *http.Server, h *health) error {
	log.Printf("bookshelf listening on %s", srv.Addr)
	return srv.ListenAndServe()
}
