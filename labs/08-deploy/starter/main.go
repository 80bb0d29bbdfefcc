// Command bookshelf is the Bookshelf API, packaged to be deployed: configured from the
// environment, with liveness and readiness probes and a graceful shutdown.
//
//	DATABASE_URL=postgres://bookshelf:bookshelf@localhost:5432/bookshelf \
//	REDIS_URL=redis://localhost:6379/0 go run .
//	curl -i localhost:8080/readyz
//
// It listens on :8080, or on $PORT.
package main

import (
	"log"
	"net/http"
	"os"
	"strconv"
	"time"
)

func main() {
	cfg, _ := loadConfig(os.Getenv)
	// TODO(config): do not start with a broken configuration. When loadConfig returns an
	// error, print it to os.Stderr (it names every variable to fix) and os.Exit(1).

	h := newHealth(map[string]Checker{
		"database": tcpCheck(cfg.DatabaseURL),
		"redis":    tcpCheck(cfg.RedisURL),
	})
	srv := &http.Server{
		Addr:              ":" + strconv.Itoa(cfg.Port),
		Handler:           newServer(h),
		ReadHeaderTimeout: 5 * time.Second,
	}
	if err := serve(cfg, srv, h); err != nil {
		log.Printf("bookshelf: %v", err)
		os.Exit(1)
	}
}
