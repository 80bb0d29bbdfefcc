// Command shop is a small order service on PostgreSQL: customers, products, orders and their
// items, plus a few bank accounts to move money between. The lab is about the database side:
// a normalized schema, indexes, query counts, transactions and keyset pagination.
//
//	export DATABASE_URL=postgres://lab:lab@localhost:5432/shop?sslmode=disable
//	go run .          # applies migrations/*.sql that are new, then serves on :8080 (or $PORT)
//	go run . -fresh   # drops every table first: after you changed an applied migration
//	curl -s localhost:8080/customers/1/orders
package main

import (
	"context"
	"flag"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

func main() {
	fresh := flag.Bool("fresh", false, "drop every table of the public schema, then apply every migration")
	flag.Parse()
	addr := ":8080"
	if port := os.Getenv("PORT"); port != "" {
		addr = ":" + port
	}
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		log.Fatal("DATABASE_URL is not set: run `lab services up` and export what `lab services env` prints, " +
			"or point it at any PostgreSQL, like postgres://lab:lab@localhost:5432/shop?sslmode=disable")
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		log.Fatalf("DATABASE_URL: %v", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	store, err := newStore(ctx, cfg)
	if err != nil {
		log.Fatalf("connect to PostgreSQL: %v", err)
	}
	defer store.Close()
	if *fresh {
		if err := dropEverything(ctx, store.pool); err != nil {
			log.Fatalf("-fresh: %v", err)
		}
	}
	applied, err := applyMigrations(ctx, store.pool, "migrations")
	cancel()
	if err != nil {
		log.Fatalf("migrations: %v", err)
	}
	for _, name := range applied {
		log.Printf("applied migrations/%s", name)
	}

	log.Printf("shop listening on %s", addr)
	log.Fatal(http.ListenAndServe(addr, newServer(store)))
}
