//go:build labcheck

package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// labDB connects to DATABASE_URL and gives the test a schema of its own (dropped and created
// afresh, and first on the search_path of every connection), so that tests never see each
// other's tables whatever order they run in. setup runs in that schema.
func labDB(t *testing.T, setup ...string) *pgxpool.Pool {
	t.Helper()
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		t.Fatal("DATABASE_URL is not set: this task's tests need PostgreSQL. `lab check` starts one for you; " +
			"by hand, run `lab services up` and export DATABASE_URL=postgres://...")
	}
	ctx, cancel := context.WithTimeout(context.Background(), labTimeout)
	defer cancel()
	schema := "lab_" + strings.ToLower(strings.TrimPrefix(t.Name(), "Test"))
	ident := pgx.Identifier{schema}.Sanitize()

	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("cannot reach PostgreSQL at DATABASE_URL: %v", err)
	}
	_, err = conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+ident+" CASCADE; CREATE SCHEMA "+ident)
	conn.Close(ctx)
	if err != nil {
		t.Fatalf("setting up: create schema %s: %v", schema, err)
	}

	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatalf("DATABASE_URL: %v", err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	cfg.MaxConns = 4
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("setting up: connect: %v", err)
	}
	t.Cleanup(func() {
		closed := make(chan struct{})
		go func() { pool.Close(); close(closed) }()
		timer := time.NewTimer(labTimeout)
		defer timer.Stop()
		select {
		case <-closed:
		case <-timer.C:
			t.Errorf("the pool could not close: a connection was never given back. Close every pgx.Rows " +
				"(defer rows.Close()) right after Query succeeds")
		}
	})
	for _, stmt := range setup {
		if _, err := pool.Exec(ctx, stmt); err != nil {
			t.Fatalf("setting up: %v\n%s", err, stmt)
		}
	}
	return pool
}

// labQueryInt runs a query that returns one integer, with the test's own connection.
func labQueryInt(t *testing.T, db *pgxpool.Pool, query string, args ...any) (int, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), labTimeout)
	defer cancel()
	var n int
	err := db.QueryRow(ctx, query, args...).Scan(&n)
	return n, err
}
