CREATE INDEX orders_customer_recent_idx ON orders (customer_id, created_at DESC);
CREATE INDEX order_items_product_idx ON order_items (product_id, order_id);
