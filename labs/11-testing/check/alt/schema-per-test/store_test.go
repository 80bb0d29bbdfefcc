//go:build labcheck

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

var schemaSeq atomic.Int64

// schemaStore gives a test a connection of its own whose search_path is a fresh schema: the
// test commits for real, and DROP SCHEMA ... CASCADE removes everything it made.
func schemaStore(t *testing.T) (*Store, *pgx.Conn) {
	t.Helper()
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		t.Skip("DATABASE_URL is not set: skipping the PostgreSQL tests")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	schema := fmt.Sprintf("t_%d_%d", time.Now().UnixNano(), schemaSeq.Add(1))
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		conn.Close(context.Background())
	})
	if _, err := conn.Exec(ctx, "SET search_path TO "+schema); err != nil {
		t.Fatalf("search_path: %v", err)
	}
	s := NewStore(conn)
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return s, conn
}

func TestStoreListsOneCustomerOldestFirst(t *testing.T) {
	s, _ := schemaStore(t)
	ctx := context.Background()
	var want []int64
	for i, c := range []string{"bob", "ada", "bob", "ada", "ada"} {
		id, err := s.Create(ctx, c, Cents(100*(i+1)))
		if err != nil {
			t.Fatal(err)
		}
		if c == "ada" {
			want = append(want, id)
		}
	}
	got, err := s.OpenOrders(ctx, "ada")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("OpenOrders(ada): %d orders %+v, want %d", len(got), got, len(want))
	}
	for i, o := range got {
		if o.ID != want[i] || o.Customer != "ada" {
			t.Errorf("OpenOrders(ada)[%d] = %+v, want order %d of ada", i, o, want[i])
		}
	}
}

func TestStoreShipsOnlyTheOneAsked(t *testing.T) {
	s, conn := schemaStore(t)
	ctx := context.Background()
	first, _ := s.Create(ctx, "ada", 5_00)
	second, _ := s.Create(ctx, "ada", 6_00)
	other, _ := s.Create(ctx, "bob", 7_00)
	if err := s.MarkShipped(ctx, second); err != nil {
		t.Fatalf("MarkShipped(%d): %v", second, err)
	}
	for id, want := range map[int64]string{first: "open", second: "shipped", other: "open"} {
		var status string
		if err := conn.QueryRow(ctx, "SELECT status FROM orders WHERE id = $1", id).Scan(&status); err != nil {
			t.Fatal(err)
		}
		if status != want {
			t.Errorf("order %d is %s, want %s", id, status, want)
		}
	}
	open, err := s.OpenOrders(ctx, "ada")
	if err != nil {
		t.Fatal(err)
	}
	if len(open) != 1 || open[0].ID != first {
		t.Errorf("OpenOrders(ada) after shipping %d = %+v, want only %d", second, open, first)
	}
	if err := s.MarkShipped(ctx, second); !errors.Is(err, ErrNotFound) {
		t.Errorf("shipping twice: %v, want ErrNotFound", err)
	}
	if err := s.MarkShipped(ctx, -1); !errors.Is(err, ErrNotFound) {
		t.Errorf("shipping id -1: %v, want ErrNotFound", err)
	}
}
