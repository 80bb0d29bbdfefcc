//go:build labcheck

package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// Task indexes: with 100,000 orders, the two queries of the lesson read indexes, not whole
// tables. The tests run EXPLAIN (FORMAT JSON) on their own copy of each query.

const labQueryCustomerOrdersBetween = `
SELECT id, customer_id, status, created_at
FROM orders
WHERE customer_id = $1 AND created_at >= $2 AND created_at < $3
ORDER BY created_at DESC
LIMIT 50`

const labQueryOrdersWithSKU = `
SELECT o.id, o.customer_id, o.status, o.created_at
FROM products p
JOIN order_items i ON i.product_id = p.id
JOIN orders o ON o.id = i.order_id
WHERE p.sku = $1
ORDER BY o.created_at DESC`

// labIndexes lists the indexes of the tables, to show next to a plan.
func labIndexes(ctx context.Context, t *testing.T, schema string, tables ...string) string {
	conn := labBigConn(t, schema)
	rows, err := conn.Query(ctx, `
		SELECT indexdef FROM pg_indexes
		WHERE schemaname = current_schema() AND tablename = ANY($1)
		ORDER BY tablename, indexname`, tables)
	if err != nil {
		return "    (cannot list them: " + err.Error() + ")\n"
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var def string
		if rows.Scan(&def) == nil {
			fmt.Fprintf(&b, "    %s\n", strings.ReplaceAll(def, schema+".", ""))
		}
	}
	if b.Len() == 0 {
		b.WriteString("    (none)\n")
	}
	return b.String()
}

// labExplainBig explains a query of the tests on the big schema and returns the plan and a
// report: the query, its values and the plan.
func labExplainBig(t *testing.T, schema, sql string, args ...any) (*labPlan, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), labLimit)
	defer cancel()
	conn := labBigConn(t, schema)
	plan, err := labExplain(ctx, conn, sql, args...)
	if err != nil {
		t.Fatalf("EXPLAIN (FORMAT JSON) %s\nwith %v: %v", labOneLine(sql), args, err)
	}
	report := fmt.Sprintf("\n\nquery (with 100,000 orders, 200,000 order_items):\n    %s\n    values: %v\nplan:\n%sindexes on those tables:\n%s",
		labOneLine(sql), args, plan, labIndexes(ctx, t, schema, "orders", "order_items", "products"))
	return plan, report
}

func labBigCustomer(t *testing.T, schema string, n int64) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), labLimit)
	defer cancel()
	var id int64
	if err := labBigConn(t, schema).QueryRow(ctx, `SELECT min(id) + $1 FROM customers`, n).Scan(&id); err != nil {
		t.Fatalf("reading the seeded customers: %v", err)
	}
	return id
}

func TestIndexCustomerOrdersInRange(t *testing.T) {
	schema := labBigSchema(t)
	customer := labBigCustomer(t, schema, 42)
	from := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	plan, report := labExplainBig(t, schema, labQueryCustomerOrdersBetween, customer, from, to)

	if scans := plan.seqScans("orders"); len(scans) > 0 {
		t.Fatalf("the plan reads all of orders (Seq Scan on orders) to find one customer's ~25 orders%s"+
			"hint: add an index in migrations/002_indexes.sql (TODO(indexes)). PostgreSQL indexes primary keys and UNIQUE columns by itself, never foreign keys like customer_id", report)
	}
	var conds []string
	for _, n := range plan.indexScans("orders") {
		conds = append(conds, n.IndexCond)
	}
	cond := strings.Join(conds, " ")
	switch {
	case !strings.Contains(cond, "customer_id"):
		t.Fatalf("no index of orders is searched by customer_id: the plan walks an index and throws away the other customers' orders one by one%s"+
			"hint: the equality column goes first: CREATE INDEX ON orders (customer_id, created_at)", report)
	case !strings.Contains(cond, "created_at"):
		t.Fatalf("the index finds the customer, but not the date range: every order of the customer is read, then filtered on created_at%s"+
			"hint: one index on both columns, equality first, then the range: CREATE INDEX ON orders (customer_id, created_at). It also returns them in created_at order", report)
	}
	// Both columns in the Index Cond is not enough: with the range column first, the scan walks
	// every order of the three months (~25,000 entries) and checks customer_id in each.
	for _, n := range plan.indexScans("orders") {
		if !strings.Contains(n.IndexCond, "customer_id") || !strings.Contains(n.IndexCond, "created_at") {
			continue
		}
		cols := labIndexColumns(t, schema, n.Index)
		ci, di := slices.Index(cols, "customer_id"), slices.Index(cols, "created_at")
		if ci < 0 || di < 0 || ci > di || slices.ContainsFunc(cols[:ci], func(c string) bool { return c != "customer_id" }) {
			t.Fatalf("the plan reads index %s on (%s): the range column before the equality column, so the scan walks every order of all customers between the two dates (~25,000 index entries) and checks customer_id in each, to keep ~25%s"+
				"hint: equality columns first, then the range or sort column: CREATE INDEX ON orders (customer_id, created_at) seeks straight to one customer's orders in those dates", n.Index, strings.Join(cols, ", "), report)
		}
	}
}

// labIndexColumns are the key columns (or expressions) of an index of the big schema, in order.
func labIndexColumns(t *testing.T, schema, index string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), labLimit)
	defer cancel()
	var cols []string
	err := labBigConn(t, schema).QueryRow(ctx, `
		SELECT ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true) FROM generate_series(1, i.indnkeyatts) k)
		FROM pg_index i WHERE i.indexrelid = $1::regclass`, index).Scan(&cols)
	if err != nil {
		t.Fatalf("reading the columns of index %s: %v", index, err)
	}
	return cols
}

func TestIndexOrdersWithSKU(t *testing.T) {
	schema := labBigSchema(t)
	plan, report := labExplainBig(t, schema, labQueryOrdersWithSKU, "SKU-00042")

	if scans := plan.seqScans("order_items"); len(scans) > 0 {
		t.Fatalf("the plan reads all of order_items (Seq Scan on order_items) to find the ~40 rows of one product%s"+
			"hint: the primary key (order_id, product_id) cannot find rows by product_id, its second column, and PostgreSQL does not index foreign keys by itself: CREATE INDEX ON order_items (product_id) in migrations/002_indexes.sql", report)
	}
	if scans := plan.seqScans("orders"); len(scans) > 0 {
		t.Fatalf("the plan reads all of orders (Seq Scan on orders) to find ~40 orders by their id%s"+
			"hint: orders.id is the primary key, so it has an index; make the first steps (product by sku, items by product_id) use indexes and the planner will look orders up by id", report)
	}
	if len(plan.indexScans("order_items")) == 0 {
		t.Fatalf("order_items is read without an index%s"+
			"hint: CREATE INDEX ON order_items (product_id)", report)
	}
}
