//go:build labcheck

package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
)

// serve runs srv until SIGTERM (what Kubernetes and `docker stop` send) or SIGINT (Ctrl-C),
// then shuts down gracefully:
//
//  1. readiness turns 503 at once (h.startDraining), so load balancers stop sending traffic;
//  2. the server keeps serving for cfg.ShutdownDelay, the time they need to notice;
//  3. srv.Shutdown stops accepting connections and waits for the requests in flight, at most
//     cfg.ShutdownTimeout. If they finish, serve returns nil (exit 0); if not, an error (exit 1).
func serve(cfg Config, srv *http.Server, h *health) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	ln, err := net.Listen("tcp", srv.Addr)
	if err != nil {
		return err
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	log.Printf("bookshelf listening on %s", ln.Addr())

	select {
	case err := <-serveErr:
		return err // could not serve at all
	case <-ctx.Done():
	}
	stop() // a second signal now kills the process the default way

	h.startDraining()
	log.Printf("shutting down: not ready; serving for %v more, then waiting up to %v for requests in flight",
		cfg.ShutdownDelay, cfg.ShutdownTimeout)

	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		srv.Close() // cut what is left
		return fmt.Errorf("shutdown: requests still in flight after %v: %w", cfg.ShutdownTimeout, err)
	}
	if err := <-serveErr; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Printf("bookshelf stopped cleanly")
	return nil
}
