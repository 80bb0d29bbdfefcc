CREATE INDEX orders_page_idx ON orders (created_at DESC, id DESC);
