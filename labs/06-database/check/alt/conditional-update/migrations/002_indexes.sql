-- Covering indexes: the first query's status comes from the index too.
CREATE INDEX orders_by_customer ON orders (customer_id, created_at) INCLUDE (status);
CREATE INDEX order_items_by_product ON order_items (product_id) INCLUDE (order_id);
