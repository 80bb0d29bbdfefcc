package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// applyMigrations runs, in name order, the files of dir that are not yet recorded in
// schema_migrations, each one in its own transaction, and returns the names it applied.
//
// It is the smallest useful migration runner: tools like goose, golang-migrate or atlas add
// down migrations, and locking between several instances that start at once.
func applyMigrations(ctx context.Context, pool *pgxpool.Pool, dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.sql"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	if _, err := pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name       text PRIMARY KEY,
		checksum   text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return nil, err
	}
	var applied []string
	for _, file := range files {
		name := filepath.Base(file)
		sql, err := os.ReadFile(file)
		if err != nil {
			return applied, err
		}
		sum := sha256.Sum256(sql)
		checksum := hex.EncodeToString(sum[:])

		var recorded string
		err = pool.QueryRow(ctx, `SELECT checksum FROM schema_migrations WHERE name = $1`, name).Scan(&recorded)
		switch {
		case err == nil && recorded == checksum:
			continue // applied already
		case err == nil:
			return applied, fmt.Errorf("%s changed after it was applied: an applied migration is never edited, "+
				"a new file changes what it did. While you work on this lab, rebuild the database with `go run . -fresh`", file)
		case err != pgx.ErrNoRows:
			return applied, err
		}

		err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			// No arguments: pgx sends the file as one simple query, so it may hold many statements.
			if _, err := tx.Exec(ctx, string(sql)); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)`, name, checksum)
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("%s: %w", file, err)
		}
		applied = append(applied, name)
	}
	return applied, nil
}

// dropEverything empties the current schema: every table, index and row of the service.
func dropEverything(ctx context.Context, pool *pgxpool.Pool) error {
	_, err := pool.Exec(ctx, `DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public`)
	return err
}
