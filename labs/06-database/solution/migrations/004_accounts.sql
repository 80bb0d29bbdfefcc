-- Accounts for task transactions. Given: nothing to change here.
-- The CHECK is the last line of defence: even a buggy transfer cannot leave a negative balance.
CREATE TABLE accounts (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner         text NOT NULL,
    balance_cents bigint NOT NULL CHECK (balance_cents >= 0)
);
