//go:build labcheck

package main

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// testPool connects once per test binary run; closing is left to the process's end.
var testPool *pgxpool.Pool

// testStore gives each test a Store on its own transaction, rolled back when the test ends:
// nothing a test writes is seen by another, and the database is left as it was found.
func testStore(t *testing.T) (*Store, pgx.Tx) {
	t.Helper()
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		t.Skip("DATABASE_URL is not set: skipping the PostgreSQL tests")
	}
	ctx := context.Background()
	if testPool == nil {
		p, err := pgxpool.New(ctx, url)
		if err != nil {
			t.Fatalf("connect to %s: %v", url, err)
		}
		testPool = p
	}
	tx, err := testPool.Begin(ctx)
	if err != nil {
		t.Fatalf("begin: %v", err)
	}
	t.Cleanup(func() { tx.Rollback(context.Background()) })
	s := NewStore(tx)
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return s, tx
}

// create is a fixture helper: it stores an order or stops the test.
func create(t *testing.T, s *Store, customer string, total Cents) int64 {
	t.Helper()
	id, err := s.Create(context.Background(), customer, total)
	if err != nil {
		t.Fatalf("Create(%q, %v): %v", customer, total, err)
	}
	return id
}

func ids(orders []StoredOrder) []int64 {
	out := []int64{}
	for _, o := range orders {
		out = append(out, o.ID)
	}
	return out
}

func TestStoreOpenOrders(t *testing.T) {
	s, _ := testStore(t)
	ctx := context.Background()
	a1 := create(t, s, "ada", 10_00)
	create(t, s, "bob", 20_00)
	a2 := create(t, s, "ada", 30_00)
	got, err := s.OpenOrders(ctx, "ada")
	if err != nil {
		t.Fatal(err)
	}
	if g := ids(got); len(g) != 2 || g[0] != a1 || g[1] != a2 {
		t.Fatalf("OpenOrders(ada) = %v, want [%d %d]", g, a1, a2)
	}
	if got[1].Total != 30_00 || got[1].Customer != "ada" || got[1].Status != "open" {
		t.Errorf("OpenOrders(ada)[1] = %+v, want ada's open order of 30.00", got[1])
	}
}

func TestStoreMarkShipped(t *testing.T) {
	s, _ := testStore(t)
	ctx := context.Background()
	a1 := create(t, s, "ada", 10_00)
	a2 := create(t, s, "ada", 30_00)
	if err := s.MarkShipped(ctx, a1); err != nil {
		t.Fatalf("MarkShipped(%d): %v", a1, err)
	}
	got, err := s.OpenOrders(ctx, "ada")
	if err != nil {
		t.Fatal(err)
	}
	if g := ids(got); len(g) != 1 || g[0] != a2 {
		t.Errorf("after shipping %d, OpenOrders(ada) = %v, want [%d]", a1, g, a2)
	}
	if err := s.MarkShipped(ctx, a1); !errors.Is(err, ErrNotFound) {
		t.Errorf("shipping %d twice: %v, want ErrNotFound", a1, err)
	}
}
