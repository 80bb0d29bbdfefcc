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

func TestStore(t *testing.T) {
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		t.Skip("DATABASE_URL is not set: skipping the PostgreSQL tests")
	}
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()

	// in runs f on a Store over a transaction that is rolled back afterwards; raw checks go
	// through the same tx, the only place the uncommitted rows are visible.
	in := func(t *testing.T, f func(t *testing.T, s *Store, tx pgx.Tx)) {
		tx, err := pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		s := NewStore(tx)
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		f(t, s, tx)
	}
	seed := func(t *testing.T, s *Store) map[string][]int64 {
		out := map[string][]int64{}
		for _, c := range []string{"ada", "bob", "ada", "cy", "bob", "ada"} {
			id, err := s.Create(ctx, c, 12_34)
			if err != nil {
				t.Fatal(err)
			}
			out[c] = append(out[c], id)
		}
		return out
	}

	t.Run("open orders of one customer, oldest first", func(t *testing.T) {
		in(t, func(t *testing.T, s *Store, tx pgx.Tx) {
			ids := seed(t, s)
			for _, c := range []string{"ada", "bob"} {
				got, err := s.OpenOrders(ctx, c)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(ids[c]) {
					t.Fatalf("OpenOrders(%s) = %+v, want ids %v", c, got, ids[c])
				}
				for i := range got {
					if got[i].ID != ids[c][i] || got[i].Customer != c || got[i].Total != 12_34 {
						t.Errorf("OpenOrders(%s)[%d] = %+v, want id %d", c, i, got[i], ids[c][i])
					}
				}
			}
		})
	})
	t.Run("ship one order", func(t *testing.T) {
		in(t, func(t *testing.T, s *Store, tx pgx.Tx) {
			ids := seed(t, s)
			ship := ids["ada"][1]
			if err := s.MarkShipped(ctx, ship); err != nil {
				t.Fatal(err)
			}
			var shipped int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM orders WHERE status = 'shipped'`).Scan(&shipped); err != nil {
				t.Fatal(err)
			}
			if shipped != 1 {
				t.Errorf("after shipping %d, %d orders are shipped, want 1", ship, shipped)
			}
			got, _ := s.OpenOrders(ctx, "ada")
			for _, o := range got {
				if o.ID == ship {
					t.Errorf("OpenOrders(ada) still lists shipped order %d", ship)
				}
			}
			if len(got) != 2 {
				t.Errorf("OpenOrders(ada) = %+v, want 2 orders left", got)
			}
		})
	})
	t.Run("not found", func(t *testing.T) {
		in(t, func(t *testing.T, s *Store, tx pgx.Tx) {
			ids := seed(t, s)
			id := ids["cy"][0]
			if err := s.MarkShipped(ctx, id); err != nil {
				t.Fatal(err)
			}
			if err := s.MarkShipped(ctx, id); !errors.Is(err, ErrNotFound) {
				t.Errorf("second MarkShipped(%d): %v, want ErrNotFound", id, err)
			}
			if err := s.MarkShipped(ctx, 1<<60); !errors.Is(err, ErrNotFound) {
				t.Errorf("MarkShipped(unknown): %v, want ErrNotFound", err)
			}
		})
	})
}
