package main

import (
	"context"
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
// down migrations, locking between several instances, and checksums of applied files.
func applyMigrations(ctx context.Context, pool *pgxpool.Pool, dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.sql"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	if _, err := pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name text PRIMARY KEY,
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
		fresh := false
		err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			tag, err := tx.Exec(ctx, `INSERT INTO schema_migrations (name) VALUES ($1) ON CONFLICT DO NOTHING`, name)
			if err != nil || tag.RowsAffected() == 0 {
				return err // already applied
			}
			fresh = true
			// No arguments: pgx sends the file as one simple query, so it may hold many statements.
			_, err = tx.Exec(ctx, string(sql))
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("%s: %w", name, err)
		}
		if fresh {
			applied = append(applied, name)
		}
	}
	return applied, nil
}
