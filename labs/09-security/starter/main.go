// Command shop is a small web shop used to practise web security: SQL injection, password
// storage, CSRF, CORS, brute-force protection and transport security.
//
//	DATABASE_URL=postgres://... go run .       # listens on :8080 (or $PORT)
//
// Other settings: ALLOWED_ORIGINS="https://app.example.com ..." (CORS) and
// TRUSTED_PROXIES="127.0.0.1/32 ::1/128" (whose X-Forwarded-* headers to believe).
package main

import (
	"context"
	"log"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

func main() {
	ctx := context.Background()
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		log.Fatal("DATABASE_URL is not set: run `lab services up` and export what `lab services env` prints")
	}
	db, err := pgxpool.New(ctx, url)
	if err != nil {
		log.Fatalf("DATABASE_URL: %v", err)
	}
	defer db.Close()
	if err := migrate(ctx, db); err != nil {
		log.Fatal(err)
	}

	cfg := Config{
		DB:             db,
		AllowedOrigins: strings.Fields(os.Getenv("ALLOWED_ORIGINS")),
	}
	for _, s := range strings.Fields(os.Getenv("TRUSTED_PROXIES")) {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			log.Fatalf("TRUSTED_PROXIES: %v (want CIDR prefixes like 10.0.0.0/8 or 127.0.0.1/32)", err)
		}
		cfg.TrustedProxies = append(cfg.TrustedProxies, p)
	}
	app, err := newApp(cfg)
	if err != nil {
		log.Fatal(err)
	}

	addr := ":" + envOr("PORT", "8080")
	srv := &http.Server{
		Addr:              addr,
		Handler:           app,
		ReadHeaderTimeout: 5 * time.Second, // a slow client cannot hold a connection forever
		ReadTimeout:       30 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	log.Printf("shop listening on %s", addr)
	log.Fatal(srv.ListenAndServe())
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
