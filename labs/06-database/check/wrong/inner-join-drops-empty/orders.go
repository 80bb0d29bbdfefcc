//go:build labcheck

package main

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// CustomerOrders returns a customer's orders, newest first (created_at DESC, id DESC), each
// with its items ordered by product_id.
//
// Two queries whatever the number of orders: the orders, then the items of all of them at
// once with order_id = ANY($1). The items are then handed out to their orders in Go.
func (s *Store) CustomerOrders(ctx context.Context, customerID int64) ([]Order, error) {
	// One query: each order's columns repeat on every item row.
	rows, err := s.pool.Query(ctx, `
		SELECT o.id, o.customer_id, o.status, o.created_at,
		       i.product_id, p.sku, p.name, i.quantity, i.unit_price_cents
		FROM orders o
		JOIN order_items i ON i.order_id = o.id
		JOIN products p ON p.id = i.product_id
		WHERE o.customer_id = $1
		ORDER BY o.created_at DESC, o.id DESC, i.product_id`, customerID)
	if err != nil {
		return nil, err
	}
	var orders []Order
	var o Order
	var it OrderItem
	_, err = pgx.ForEachRow(rows, []any{&o.ID, &o.CustomerID, &o.Status, &o.CreatedAt,
		&it.ProductID, &it.SKU, &it.Name, &it.Quantity, &it.UnitPriceCents}, func() error {
		if n := len(orders); n == 0 || orders[n-1].ID != o.ID {
			orders = append(orders, Order{ID: o.ID, CustomerID: o.CustomerID, Status: o.Status, CreatedAt: o.CreatedAt})
		}
		last := &orders[len(orders)-1]
		last.Items = append(last.Items, it)
		return nil
	})
	return orders, err
}

// queryCustomerOrdersBetween is the first query of task indexes: a customer's orders in a
// date range, newest first. The hidden tests run EXPLAIN on this very text.
const queryCustomerOrdersBetween = `
SELECT id, customer_id, status, created_at
FROM orders
WHERE customer_id = $1 AND created_at >= $2 AND created_at < $3
ORDER BY created_at DESC
LIMIT 50`

// CustomerOrdersBetween returns up to 50 orders of a customer made in [from, to), newest
// first, without their items.
func (s *Store) CustomerOrdersBetween(ctx context.Context, customerID int64, from, to time.Time) ([]Order, error) {
	rows, err := s.pool.Query(ctx, queryCustomerOrdersBetween, customerID, from, to)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanOrder)
}

// queryOrdersWithSKU is the second query of task indexes: the orders that contain a product,
// found by its SKU. The hidden tests run EXPLAIN on this very text.
const queryOrdersWithSKU = `
SELECT o.id, o.customer_id, o.status, o.created_at
FROM products p
JOIN order_items i ON i.product_id = p.id
JOIN orders o ON o.id = i.order_id
WHERE p.sku = $1
ORDER BY o.created_at DESC`

// OrdersWithSKU returns the orders that contain the product with this SKU, newest first,
// without their items.
func (s *Store) OrdersWithSKU(ctx context.Context, sku string) ([]Order, error) {
	rows, err := s.pool.Query(ctx, queryOrdersWithSKU, sku)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanOrder)
}

func scanOrder(row pgx.CollectableRow) (Order, error) {
	var o Order
	err := row.Scan(&o.ID, &o.CustomerID, &o.Status, &o.CreatedAt)
	return o, err
}
