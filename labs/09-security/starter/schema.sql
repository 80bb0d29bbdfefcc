-- The shop's tables. main.go applies this file at startup; it changes nothing that exists.
-- (The hidden tests create the same tables in a database of their own.)

CREATE TABLE IF NOT EXISTS products (
    id          bigint  PRIMARY KEY,
    name        text    NOT NULL,
    price_cents integer NOT NULL,
    listed      boolean NOT NULL DEFAULT true  -- false: not for sale yet, must not show up
);

-- Something an attacker would love to read through a hole in the product search.
CREATE TABLE IF NOT EXISTS admin_tokens (
    id    bigint PRIMARY KEY,
    token text   NOT NULL
);

CREATE TABLE IF NOT EXISTS users (
    username      text PRIMARY KEY,
    email         text NOT NULL DEFAULT '',
    password_hash text NOT NULL
);

INSERT INTO products (id, name, price_cents, listed) VALUES
    (1, 'Go Programming Mug', 1200, true),
    (2, 'O''Reilly Go Book', 3900, true),
    (3, 'Gopher Plush', 1500, true),
    (4, '100% Cotton Gopher Tee', 2500, true),
    (5, 'snake_case Sticker', 300, true),
    (6, 'Unreleased Gopher Console', 49900, false)
ON CONFLICT (id) DO NOTHING;

INSERT INTO admin_tokens (id, token) VALUES (1, 'adm_live_do_not_leak_7Qx9')
ON CONFLICT (id) DO NOTHING;

-- Accounts from three eras of this shop, all with the password "correct horse battery":
-- unsalted SHA-256 (2014), bcrypt (2019). New ones get argon2id.
INSERT INTO users (username, email, password_hash) VALUES
    ('old_timer', 'old@shop.example', '9028ea0d15decaa35b2da21c0290af3b1a5ba0a30a591906f89b5074e209ea72'),
    ('bea', 'bea@shop.example', '$2a$10$YmAMEuxD1R8L0TZ92SYk4OrupBl8bhfcFudokbUaRfzDTs6XGQhDK')
ON CONFLICT (username) DO NOTHING;
