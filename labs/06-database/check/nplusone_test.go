//go:build labcheck

package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Task n-plus-one: Store.CustomerOrders lists a customer's orders with their items in at most
// two queries, however many orders there are.

// labShop is a small shop: four customers with 40, 1, 0 and 5 orders of one to three items.
type labShop struct {
	db                *labDB
	ann, bob, cy, dee int64
	orderCount        map[int64]int
}

func labNewShop(t *testing.T, task string) *labShop {
	t.Helper()
	db := labNewDB(t, task)
	db.requireShop()
	s := &labShop{db: db, orderCount: map[int64]int{}}
	customer := func(email, name string, orders int) int64 {
		id := db.ids(`INSERT INTO customers (email, name) VALUES ($1, $2) RETURNING id`, email, name)[0]
		if orders > 0 {
			// Seven distinct times only: several orders share a created_at, and id breaks the tie.
			db.exec(`INSERT INTO orders (customer_id, status, created_at)
				SELECT $1::bigint, 'paid', timestamptz '2024-05-01 00:00:00+00' + (g % 7) * interval '1 hour'
				FROM generate_series(1, $2::int) g`, id, orders)
		}
		s.orderCount[id] = orders
		return id
	}
	db.exec(`INSERT INTO products (sku, name, price_cents)
		SELECT 'P-' || g, 'Product ' || g, 100 * g FROM generate_series(1, 8) g`)
	s.ann = customer("ann@example.com", "Ann", 40)
	s.bob = customer("bob@example.com", "Bob", 1)
	s.cy = customer("cy@example.com", "Cy", 0)
	s.dee = customer("dee@example.com", "Dee", 5)
	db.exec(`INSERT INTO order_items (order_id, product_id, quantity, unit_price_cents)
		SELECT o.id, p.id, 1 + (o.id + p.id) % 4, 50 + p.id
		FROM orders o
		JOIN (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM products) p
		  ON p.rn BETWEEN 1 + o.id % 5 AND 1 + o.id % 5 + o.id % 3`)
	// One of Ann's orders is still empty (a pending order nobody has added to yet): it is
	// listed like the others, with no items. A join from orders to items would drop it.
	db.exec(`UPDATE orders SET status = 'pending' WHERE id = (SELECT max(id) FROM orders WHERE customer_id = $1)`, s.ann)
	db.exec(`DELETE FROM order_items WHERE order_id = (SELECT max(id) FROM orders WHERE customer_id = $1)`, s.ann)
	return s
}

// want reads a customer's orders and items the way CustomerOrders must return them.
func (s *labShop) want(t *testing.T, customer int64) []Order {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), labLimit)
	defer cancel()
	rows, err := s.db.conn.Query(ctx, `
		SELECT id, customer_id, status, created_at FROM orders
		WHERE customer_id = $1 ORDER BY created_at DESC, id DESC`, customer)
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
	index := map[int64]int{}
	for i, o := range orders {
		index[o.ID] = i
	}
	rows, err = s.db.conn.Query(ctx, `
		SELECT i.order_id, i.product_id, p.sku, p.name, i.quantity, i.unit_price_cents
		FROM order_items i JOIN products p ON p.id = i.product_id JOIN orders o ON o.id = i.order_id
		WHERE o.customer_id = $1 ORDER BY i.order_id, i.product_id`, customer)
	if err != nil {
		t.Fatalf("reading the expected items: %v", err)
	}
	var orderID int64
	var it OrderItem
	var quantity, price int64
	if _, err := pgx.ForEachRow(rows, []any{&orderID, &it.ProductID, &it.SKU, &it.Name, &quantity, &price}, func() error {
		it.Quantity, it.UnitPriceCents = int(quantity), price
		o := &orders[index[orderID]]
		o.Items = append(o.Items, it)
		return nil
	}); err != nil {
		t.Fatalf("reading the expected items: %v", err)
	}
	return orders
}

// labOrderLine shows an order on one line, its items too when withItems.
func labOrderLine(o Order, withItems bool) string {
	s := fmt.Sprintf("{ID:%d CustomerID:%d Status:%q CreatedAt:%s", o.ID, o.CustomerID, o.Status, o.CreatedAt.UTC().Format(time.RFC3339Nano))
	if withItems {
		var items []string
		for _, it := range o.Items {
			items = append(items, fmt.Sprintf("{ProductID:%d SKU:%q Name:%q Quantity:%d UnitPriceCents:%d}", it.ProductID, it.SKU, it.Name, it.Quantity, it.UnitPriceCents))
		}
		s += " Items:[" + strings.Join(items, " ") + "]"
	}
	return s + "}"
}

// labDiffOrders says how got differs from want, or "".
func labDiffOrders(got, want []Order, withItems bool) string {
	ids := func(os []Order) []int64 {
		var out []int64
		for _, o := range os {
			out = append(out, o.ID)
		}
		return out
	}
	if len(got) != len(want) {
		msg := fmt.Sprintf("got %d orders, want %d", len(got), len(want))
		count := map[int64]int{}
		for _, o := range got {
			count[o.ID]++
		}
		var missing, twice []int64
		for _, o := range want {
			if count[o.ID] == 0 {
				missing = append(missing, o.ID)
			}
			if count[o.ID] > 1 {
				twice = append(twice, o.ID)
			}
		}
		if len(missing) > 0 {
			msg += fmt.Sprintf("\n    missing: %s", labClipIDs(missing))
		}
		if len(twice) > 0 {
			msg += fmt.Sprintf("\n    more than once: %s", labClipIDs(twice))
		}
		for i := 0; i < min(len(got), len(want)); i++ {
			if got[i].ID != want[i].ID {
				msg += fmt.Sprintf("\n    first difference at position %d: got %s, want %s", i, labOrderLine(got[i], false), labOrderLine(want[i], false))
				break
			}
		}
		return msg
	}
	for i := range want {
		g, w := got[i], want[i]
		same := g.ID == w.ID && g.CustomerID == w.CustomerID && g.Status == w.Status && g.CreatedAt.Equal(w.CreatedAt)
		if same && withItems {
			same = len(g.Items) == len(w.Items)
			for j := 0; same && j < len(w.Items); j++ {
				same = g.Items[j] == w.Items[j]
			}
		}
		if !same {
			hint := ""
			if g.ID != w.ID {
				hint = fmt.Sprintf("\n    got IDs:  %v\n    want IDs: %v (newest first: ORDER BY created_at DESC, id DESC)", labClipIDs(ids(got)), labClipIDs(ids(want)))
			}
			return fmt.Sprintf("order %d of the list:\n    got  %s\n    want %s%s", i, labOrderLine(g, withItems), labOrderLine(w, withItems), hint)
		}
	}
	return ""
}

func labClipIDs(ids []int64) string {
	if len(ids) > 16 {
		return fmt.Sprintf("%v ... (%d in all)", ids[:16], len(ids))
	}
	return fmt.Sprint(ids)
}

func TestCustomerOrdersReturnsOrdersWithItems(t *testing.T) {
	shop := labNewShop(t, "n-plus-one")
	store := shop.db.newStore(&labTracer{})
	for _, c := range []struct {
		name string
		id   int64
	}{{"Ann", shop.ann}, {"Bob", shop.bob}, {"Cy", shop.cy}} {
		want := shop.want(t, c.id)
		call := fmt.Sprintf("CustomerOrders(ctx, %d) (%s, %d orders)", c.id, c.name, len(want))
		type res struct {
			orders []Order
			err    error
		}
		r := labCall(t, call, func(ctx context.Context) res {
			o, err := store.CustomerOrders(ctx, c.id)
			return res{o, err}
		})
		if r.err != nil {
			t.Fatalf("%s: %v", call, r.err)
		}
		if diff := labDiffOrders(r.orders, want, true); diff != "" {
			hint := "each order carries its items ordered by product_id, with the product's SKU and name from products"
			if len(r.orders) < len(want) {
				hint = "every order of the customer is listed, also one without items (one of Ann's orders is pending and has none yet): an inner JOIN from orders to order_items drops it. Read the orders first, then their items, or use a LEFT JOIN"
			}
			t.Fatalf("%s: %s\nhint: %s", call, diff, hint)
		}
	}
}

func TestCustomerOrdersInAtMostTwoQueries(t *testing.T) {
	shop := labNewShop(t, "n-plus-one")
	tr := &labTracer{}
	store := shop.db.newStore(tr)
	for _, c := range []struct {
		name string
		id   int64
	}{{"Bob", shop.bob}, {"Dee", shop.dee}, {"Ann", shop.ann}, {"Cy", shop.cy}} {
		want := shop.want(t, c.id)
		items := 0
		for _, o := range want {
			items += len(o.Items)
		}
		call := fmt.Sprintf("CustomerOrders(ctx, %d) (%s, %d orders with %d items)", c.id, c.name, len(want), items)
		type res struct {
			orders []Order
			err    error
		}
		tr.reset()
		r := labCall(t, call, func(ctx context.Context) res {
			o, err := store.CustomerOrders(ctx, c.id)
			return res{o, err}
		})
		if r.err != nil {
			t.Fatalf("%s: %v", call, r.err)
		}
		qs := tr.dataQueries()
		if len(qs) > 2 {
			t.Fatalf("%s ran %d queries, want at most 2 whatever the number of orders:\n%s"+
				"hint: one query per order is the N+1 problem: each is a round trip to the database. Fetch the orders, then the items of all of them at once: WHERE i.order_id = ANY($1) with the slice of order IDs, and hand each item to its order in Go (a pgx.Batch saves round trips, but the database still plans and runs each statement of it)",
				call, len(qs), labListQueries(qs))
		}
		gotItems := 0
		for _, o := range r.orders {
			gotItems += len(o.Items)
		}
		if len(r.orders) != len(want) || gotItems != items {
			t.Fatalf("%s returned %d orders with %d items, want %d orders with %d items\nqueries run:\n%s",
				call, len(r.orders), gotItems, len(want), items, labListQueries(qs))
		}
		if diff := labDiffOrders(r.orders, want, true); diff != "" {
			t.Fatalf("%s: %s", call, diff)
		}
	}
}
