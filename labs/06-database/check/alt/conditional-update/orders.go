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
	rows, err := s.pool.Query(ctx, `
		SELECT id, customer_id, status, created_at
		FROM orders
		WHERE customer_id = $1
		ORDER BY created_at DESC, id DESC`, customerID)
	if err != nil {
		return nil, err
	}
	orders, err := pgx.CollectRows(rows, scanOrder)
	if err != nil || len(orders) == 0 {
		return orders, err
	}

	byID := make(map[int64]*Order, len(orders))
	for i := range orders {
		byID[orders[i].ID] = &orders[i]
	}
	// The customer's items, found again by customer: no list of IDs to send.
	rows, err = s.pool.Query(ctx, `
		SELECT i.order_id, i.product_id, p.sku, p.name, i.quantity, i.unit_price_cents
		FROM order_items i
		JOIN products p ON p.id = i.product_id
		WHERE i.order_id IN (SELECT id FROM orders WHERE customer_id = $1)
		ORDER BY i.product_id`, customerID)
	if err != nil {
		return nil, err
	}
	type item struct {
		OrderID int64
		OrderItem
	}
	items, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (item, error) {
		var it item
		err := row.Scan(&it.OrderID, &it.ProductID, &it.SKU, &it.Name, &it.Quantity, &it.UnitPriceCents)
		return it, err
	})
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		if o := byID[it.OrderID]; o != nil {
			o.Items = append(o.Items, it.OrderItem)
		}
	}
	return orders, nil
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
