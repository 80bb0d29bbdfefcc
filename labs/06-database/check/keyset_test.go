//go:build labcheck

package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// Task keyset-pagination: Store.OrdersPage pages through every order, newest first, by
// (created_at, id), with a cursor instead of an OFFSET.

type labPage struct {
	orders []Order
	next   string
	err    error
}

func labOrdersPage(t *testing.T, s *Store, cursor string, limit int) labPage {
	t.Helper()
	return labCall(t, fmt.Sprintf("OrdersPage(ctx, %q, %d)", cursor, limit), func(ctx context.Context) labPage {
		o, next, err := s.OrdersPage(ctx, cursor, limit)
		return labPage{o, next, err}
	})
}

// labAllOrders reads every order the way OrdersPage must list them.
func labAllOrders(t *testing.T, conn *pgx.Conn, extra string) []Order {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), labLimit)
	defer cancel()
	rows, err := conn.Query(ctx, `SELECT id, customer_id, status, created_at FROM orders ORDER BY created_at DESC, id DESC `+extra)
	if err != nil {
		t.Fatalf("reading the expected orders: %v", err)
	}
	orders, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Order, error) {
		var o Order
		err := r.Scan(&o.ID, &o.CustomerID, &o.Status, &o.CreatedAt)
		return o, err
	})
	if err != nil {
		t.Fatalf("reading the expected orders: %v", err)
	}
	return orders
}

// labNewOrders is a schema with n orders of two customers, created at only 40 distinct times.
func labNewOrders(t *testing.T, n int) *labDB {
	t.Helper()
	db := labNewDB(t, "keyset-pagination")
	db.requireShop()
	a := db.ids(`INSERT INTO customers (email, name) VALUES ('ann@example.com', 'Ann') RETURNING id`)[0]
	b := db.ids(`INSERT INTO customers (email, name) VALUES ('bob@example.com', 'Bob') RETURNING id`)[0]
	db.exec(`INSERT INTO orders (customer_id, status, created_at)
		SELECT CASE WHEN g % 2 = 0 THEN $1::bigint ELSE $2::bigint END, 'paid',
		       timestamptz '2024-05-01 00:00:00+00' + (g * 17 % 40) * interval '1 minute 0.123457 second'
		FROM generate_series(1, $3::int) g`, a, b, n)
	return db
}

func TestKeysetPagesThroughEveryOrder(t *testing.T) {
	db := labNewOrders(t, 250)
	store := db.newStore(&labTracer{})
	want := labAllOrders(t, db.conn, "")

	var got []Order
	var walk []string
	cursor := ""
	for page := 1; ; page++ {
		if page > 30 {
			t.Fatalf("still no last page after 30 pages of 20 for 250 orders: the cursor does not move forward\npages so far:\n%s", strings.Join(walk, "\n"))
		}
		p := labOrdersPage(t, store, cursor, 20)
		if p.err != nil {
			t.Fatalf("OrdersPage(ctx, %q, 20), page %d: %v\npages so far:\n%s", cursor, page, p.err, strings.Join(walk, "\n"))
		}
		walk = append(walk, fmt.Sprintf("    page %d: %d orders, next cursor %q", page, len(p.orders), p.next))
		if len(p.orders) > 20 {
			t.Fatalf("OrdersPage(ctx, %q, 20) returned %d orders, want at most 20", cursor, len(p.orders))
		}
		if p.next != "" && len(p.orders) < 20 {
			t.Fatalf("page %d holds %d orders but has a next cursor %q: only the last page may be short\npages so far:\n%s", page, len(p.orders), p.next, strings.Join(walk, "\n"))
		}
		got = append(got, p.orders...)
		if p.next == "" {
			break
		}
		if p.next == cursor {
			t.Fatalf("page %d gave back the cursor it was called with, %q: the walk would never end", page, cursor)
		}
		cursor = p.next
	}
	if diff := labDiffOrders(got, want, false); diff != "" {
		t.Fatalf("walking every page of 20 (250 orders, many sharing a created_at) gave a list that differs from all orders newest first: %s\npages:\n%s\n"+
			"hint: orders are sorted by (created_at DESC, id DESC), id breaking ties. A cursor on created_at alone skips or repeats orders that share it: remember both, and start after them with WHERE (created_at, id) < ($1, $2). "+
			"And keep the time in the cursor to the microsecond, as PostgreSQL stores it (these orders are at times like 00:07:00.864199): cut to seconds or milliseconds, it starts the next page at the wrong place",
			diff, strings.Join(walk, "\n"))
	}

	p := labOrdersPage(t, store, "not a cursor!", 20)
	if p.err == nil {
		t.Errorf("OrdersPage(ctx, %q, 20) returned %d orders and no error, want an error: a cursor comes from the client, and one this code did not make must be refused (ErrBadCursor)",
			"not a cursor!", len(p.orders))
	}
}

func TestKeysetPageStableWhileOrdersArrive(t *testing.T) {
	db := labNewOrders(t, 60)
	store := db.newStore(&labTracer{})
	before := labAllOrders(t, db.conn, "")

	first := labOrdersPage(t, store, "", 20)
	if first.err != nil || first.next == "" || labDiffOrders(first.orders, before[:20], false) != "" {
		t.Fatalf("OrdersPage(ctx, \"\", 20) gave %d orders, next cursor %q, error %v; want the 20 newest of 60 orders and a cursor (see TestKeysetPagesThroughEveryOrder)",
			len(first.orders), first.next, first.err)
	}

	// While the client reads page 1, five new orders arrive, and one more at the very time of
	// the last order of page 1 (with a higher id, so it sorts before it: the client has
	// "passed" it).
	last := first.orders[len(first.orders)-1]
	db.exec(`INSERT INTO orders (customer_id, status, created_at)
		SELECT $1::bigint, 'pending', timestamptz '2024-06-01 00:00:00+00' + g * interval '1 minute'
		FROM generate_series(1, 5) g`, last.CustomerID)
	db.exec(`INSERT INTO orders (customer_id, status, created_at) VALUES ($1, 'pending', $2)`, last.CustomerID, last.CreatedAt)

	second := labOrdersPage(t, store, first.next, 20)
	if second.err != nil {
		t.Fatalf("OrdersPage(ctx, %q, 20), page 2: %v", first.next, second.err)
	}
	if diff := labDiffOrders(second.orders, before[20:40], false); diff != "" {
		seen := map[int64]bool{}
		for _, o := range first.orders {
			seen[o.ID] = true
		}
		var repeated []int64
		for _, o := range second.orders {
			if seen[o.ID] {
				repeated = append(repeated, o.ID)
			}
		}
		hint := "page 2 starts right after the last order of page 1, whatever arrived meanwhile: WHERE (created_at, id) < ($1, $2) with the values of that order"
		if len(repeated) > 0 {
			hint = fmt.Sprintf("page 2 repeats orders %v of page 1: an OFFSET counts rows, and the 6 new orders pushed every row down. A cursor that names the last order seen (its created_at and id) does not move", repeated)
		}
		t.Fatalf("after 6 orders arrived between page 1 and page 2, page 2 is not orders 21 to 40 of the list page 1 came from: %s\nhint: %s", diff, hint)
	}
}

func TestKeysetUsesTheIndex(t *testing.T) {
	schema := labBigSchema(t)
	tr := &labTracer{}
	store := labNewStore(t, labURL(t), schema, tr)
	conn := labBigConn(t, schema)

	first := labOrdersPage(t, store, "", 20)
	if first.err != nil || first.next == "" {
		t.Fatalf("OrdersPage(ctx, \"\", 20) on 100,000 orders: %d orders, next cursor %q, error %v; want 20 orders and a cursor",
			len(first.orders), first.next, first.err)
	}
	tr.reset()
	second := labOrdersPage(t, store, first.next, 20)
	if second.err != nil {
		t.Fatalf("OrdersPage(ctx, %q, 20), page 2 of 100,000 orders: %v", first.next, second.err)
	}
	if diff := labDiffOrders(second.orders, labAllOrders(t, conn, "LIMIT 20 OFFSET 20"), false); diff != "" {
		t.Fatalf("page 2 of 100,000 orders is not orders 21 to 40, newest first: %s", diff)
	}

	ctx, cancel := context.WithTimeout(context.Background(), labLimit)
	defer cancel()
	var report strings.Builder
	good := false
	for _, q := range tr.dataQueries() {
		if !strings.Contains(strings.ToLower(q.sql), "orders") {
			continue
		}
		plan, err := labExplain(ctx, conn, q.sql, q.args...)
		if err != nil {
			t.Fatalf("EXPLAIN of the query page 2 ran:\n    %s\n    values: %v\nfailed: %v", labOneLine(q.sql), q.args, err)
		}
		fmt.Fprintf(&report, "\n\nquery of page 2 (with 100,000 orders):\n    %s\n    values: %v\nplan:\n%s", labOneLine(q.sql), q.args, plan)
		var conds []string
		for _, n := range plan.indexScans("orders") {
			conds = append(conds, n.IndexCond)
		}
		switch {
		case len(plan.seqScans("orders")) > 0:
			t.Fatalf("a query of OrdersPage reads all of orders (Seq Scan), then sorts it, for every page%s"+
				"indexes on orders:\n%shint: CREATE INDEX ON orders (created_at, id) in migrations/003_orders_page.sql (TODO(keyset-pagination)): a B-tree read backwards gives created_at DESC, id DESC",
				report.String(), labIndexes(ctx, t, schema, "orders"))
		case len(plan.sorts()) > 0:
			t.Fatalf("the plan sorts the orders instead of reading them in order from an index%s"+
				"indexes on orders:\n%shint: the index must hold both sort columns, in the ORDER BY's order: CREATE INDEX ON orders (created_at, id)",
				report.String(), labIndexes(ctx, t, schema, "orders"))
		case strings.Contains(strings.Join(conds, " "), "created_at"):
			good = true
		}
	}
	if !good {
		t.Fatalf("no query of page 2 starts its index scan at the cursor (an Index Cond on created_at): the index is read from the newest order on, and every skipped row is read and thrown away, so page 1,000 reads 20,000 rows%s\n"+
			"hint: replace OFFSET with WHERE (created_at, id) < ($1, $2): a row comparison the index can seek to. Spelled with OR (created_at < $1 OR (created_at = $1 AND id < $2)), the planner cannot seek",
			report.String())
	}
}
