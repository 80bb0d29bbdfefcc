-- A customer's orders in a date range, newest first: equality on customer_id, then a range
-- and the order on created_at. One index serves all three, with the columns in that order.
CREATE INDEX orders_customer_id_created_at_idx ON orders (customer_id, created_at);

-- Orders that contain a product: the primary key (order_id, product_id) cannot find rows by
-- product_id, its second column, and PostgreSQL does not index foreign keys by itself.

