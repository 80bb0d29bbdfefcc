CREATE TABLE customers (
    id         bigint GENERATED ALWAYS AS IDENTITY,
    email      text NOT NULL,
    name       text NOT NULL,
    created_at timestamptz DEFAULT now(),
    CONSTRAINT customers_pkey PRIMARY KEY (id),
    CONSTRAINT customers_email_unique UNIQUE (email)
);

CREATE TABLE products (
    id          bigint GENERATED ALWAYS AS IDENTITY,
    sku         text NOT NULL,
    name        text NOT NULL,
    price_cents bigint NOT NULL,
    CONSTRAINT products_pkey PRIMARY KEY (id),
    CONSTRAINT products_sku_unique UNIQUE (sku),
    CONSTRAINT products_price_positive CHECK (price_cents >= 0)
);

CREATE TABLE orders (
    id          bigint GENERATED ALWAYS AS IDENTITY,
    customer_id bigint NOT NULL,
    status      varchar(16) NOT NULL DEFAULT 'pending',
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT orders_pkey PRIMARY KEY (id),
    CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE NO ACTION,
    CONSTRAINT orders_status_known CHECK (status = ANY (ARRAY['pending', 'paid', 'shipped', 'cancelled']))
);

CREATE TABLE order_items (
    order_id         bigint NOT NULL,
    product_id       bigint NOT NULL,
    quantity         bigint NOT NULL,
    unit_price_cents bigint NOT NULL,
    CONSTRAINT order_items_pkey PRIMARY KEY (order_id, product_id),
    CONSTRAINT order_items_order_fk FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
    CONSTRAINT order_items_product_fk FOREIGN KEY (product_id) REFERENCES products (id),
    CONSTRAINT order_items_quantity_positive CHECK (quantity > 0),
    CONSTRAINT order_items_price_positive CHECK (unit_price_cents >= 0)
);
