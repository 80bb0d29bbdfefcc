//go:build labcheck

package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"
)

// serve runs the server and the shutdown sequence as two goroutines of one errgroup.
func serve(cfg Config, srv *http.Server, h *health) error {
	sigCtx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	g, ctx := errgroup.WithContext(sigCtx)
	g.Go(func() error {
		if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})
	g.Go(func() error {
		<-ctx.Done()
		if sigCtx.Err() == nil {
			return nil // the server failed: nothing to drain
		}
		stop()
		h.startDraining()
		time.Sleep(cfg.ShutdownDelay) // the server keeps serving meanwhile
		shCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
		defer cancel()
		if err := srv.Shutdown(shCtx); err != nil {
			srv.Close()
			return fmt.Errorf("requests still running after %v", cfg.ShutdownTimeout)
		}
		return nil
	})
	return g.Wait()
}
