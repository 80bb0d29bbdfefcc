//go:build labcheck

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
	"fmt"
	"log"
	"net/http"
	"os"
	"strconv"
	"time"
)

func main() {
	cfg, err := loadConfig(os.Getenv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bookshelf: invalid configuration:\n%v\n", err)
	}

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
