package main

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// CustomerOrders returns a customer's orders, newest first (created_at DESC, id DESC), each
// with its items ordered by product_id.
//
// TODO(n-plus-one): this works, but it runs one query for the orders and then one more query
// per order for its items: 1 + N round trips to the database. Make it two queries whatever the
// number of orders (the tests count them).
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
	if err != nil {
		return nil, err
	}
	for i := range orders {
		orders[i].Items, err = s.orderItems(ctx, orders[i].ID)
		if err != nil {
			return nil, err
		}
	}
	return orders, nil
}

// orderItems returns the items of one order, ordered by product_id.
func (s *Store) orderItems(ctx context.Context, orderID int64) ([]OrderItem, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT i.product_id, p.sku, p.name, i.quantity, i.unit_price_cents
		FROM order_items i
		JOIN products p ON p.id = i.product_id
		WHERE i.order_id = $1
		ORDER BY i.product_id`, orderID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (OrderItem, error) {
		var it OrderItem
		err := row.Scan(&it.ProductID, &it.SKU, &it.Name, &it.Quantity, &it.UnitPriceCents)
		return it, err
	})
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
