//go:build labcheck

package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// Task schema: migrations/001_init.sql creates customers, products, orders and order_items.

// labSchemaDB is a fresh schema with the learner's migrations, that stops the test when a table
// of the shop is missing.
func labSchemaDB(t *testing.T) *labDB {
	t.Helper()
	db := labNewDB(t, "schema")
	ctx, cancel := context.WithTimeout(context.Background(), labLimit)
	defer cancel()
	if msg := labShopMissing(ctx, db.conn); msg != "" {
		t.Fatalf("after applying migrations/*.sql, %s\nhint: write the four tables of the lesson in migrations/001_init.sql (TODO(schema)), with exactly these names", msg)
	}
	return db
}

func TestSchemaTablesAndColumns(t *testing.T) {
	db := labSchemaDB(t)
	ctx, cancel := context.WithTimeout(context.Background(), labLimit)
	defer cancel()
	cols, err := labColumns(ctx, db.conn)
	if err != nil {
		t.Fatalf("reading information_schema.columns: %v", err)
	}
	integers := []string{"integer", "bigint"}
	for _, tc := range []struct {
		table, column string
		types         []string
		why           string
	}{
		{"customers", "id", integers, "an ID is a number the database hands out: bigint GENERATED ALWAYS AS IDENTITY"},
		{"products", "id", integers, "an ID is a number the database hands out: bigint GENERATED ALWAYS AS IDENTITY"},
		{"orders", "id", integers, "an ID is a number the database hands out: bigint GENERATED ALWAYS AS IDENTITY"},
		{"orders", "customer_id", integers, "a foreign key has the type of the key it points to"},
		{"order_items", "order_id", integers, "a foreign key has the type of the key it points to"},
		{"order_items", "product_id", integers, "a foreign key has the type of the key it points to"},
		{"products", "price_cents", integers, "money is counted in whole cents: a float cannot hold 0.10 exactly, and integers add up exactly"},
		{"order_items", "unit_price_cents", integers, "money is counted in whole cents: a float cannot hold 0.10 exactly, and integers add up exactly"},
		{"order_items", "quantity", []string{"smallint", "integer", "bigint"}, "a quantity is a whole number"},
		{"orders", "created_at", []string{"timestamp with time zone"}, "timestamptz stores an instant; a timestamp without time zone is a wall-clock reading that means different instants in different places"},
	} {
		got := cols[tc.table][tc.column]
		if !slices.Contains(tc.types, got) {
			t.Errorf("%s.%s has type %s, want %s\nhint: %s", tc.table, tc.column, got, strings.Join(tc.types, " or "), tc.why)
		}
	}
}

// labConstraint is a row of pg_constraint, with column names.
type labConstraint struct {
	table, kind string
	columns     []string
	refTable    string
	refColumns  []string
	def         string
}

func (c labConstraint) String() string { return c.table + " " + c.def }

func labConstraints(t *testing.T, db *labDB) []labConstraint {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), labLimit)
	defer cancel()
	rows, err := db.conn.Query(ctx, `
		SELECT c.conrelid::regclass::text, c.contype::text,
		       ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
		             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i),
		       CASE WHEN c.confrelid = 0 THEN '' ELSE c.confrelid::regclass::text END,
		       ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
		             JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i),
		       pg_get_constraintdef(c.oid)
		FROM pg_constraint c
		WHERE c.connamespace = current_schema()::regnamespace AND c.conrelid <> 0
		ORDER BY 1, 2, 3`)
	if err != nil {
		t.Fatalf("reading pg_constraint: %v", err)
	}
	var out []labConstraint
	var c labConstraint
	if _, err := pgx.ForEachRow(rows, []any{&c.table, &c.kind, &c.columns, &c.refTable, &c.refColumns, &c.def}, func() error {
		out = append(out, c)
		return nil
	}); err != nil {
		t.Fatalf("reading pg_constraint: %v", err)
	}
	return out
}

func labConstraintsOf(cs []labConstraint, table, kind string) []labConstraint {
	var out []labConstraint
	for _, c := range cs {
		if c.table == table && c.kind == kind {
			out = append(out, c)
		}
	}
	return out
}

func TestSchemaPrimaryAndForeignKeys(t *testing.T) {
	db := labSchemaDB(t)
	cs := labConstraints(t, db)

	for _, table := range []string{"customers", "products", "orders"} {
		pk := labConstraintsOf(cs, table, "p")
		if len(pk) == 0 {
			t.Errorf("%s has no primary key, want PRIMARY KEY (id)\nhint: a primary key is what every other table points to, and it makes id unique and NOT NULL", table)
		} else if !slices.Equal(pk[0].columns, []string{"id"}) {
			t.Errorf("the primary key of %s is %s, want PRIMARY KEY (id)", table, pk[0].def)
		}
	}
	if pk := labConstraintsOf(cs, "order_items", "p"); len(pk) == 0 {
		t.Errorf("order_items has no primary key, want PRIMARY KEY (order_id, product_id)\nhint: a product appears once per order (with a quantity), so the pair identifies the row")
	}

	for _, want := range []struct{ table, column, refTable, why string }{
		{"orders", "customer_id", "customers", "an order belongs to a customer that exists"},
		{"order_items", "order_id", "orders", "an item belongs to an order that exists"},
		{"order_items", "product_id", "products", "an item is a product that exists"},
	} {
		found := false
		var others []string
		for _, c := range labConstraintsOf(cs, want.table, "f") {
			if slices.Equal(c.columns, []string{want.column}) && c.refTable == want.refTable && slices.Equal(c.refColumns, []string{"id"}) {
				found = true
			}
			others = append(others, c.def)
		}
		if !found {
			got := "none"
			if len(others) > 0 {
				got = strings.Join(others, "; ")
			}
			t.Errorf("%s.%s has no foreign key to %s (id); the foreign keys of %s are: %s\nhint: %s: %s %s bigint NOT NULL REFERENCES %s (id)",
				want.table, want.column, want.refTable, want.table, got, want.why, "in CREATE TABLE "+want.table+",", want.column, want.refTable)
		}
	}
}

func TestSchemaNotNullAndUnique(t *testing.T) {
	db := labSchemaDB(t)
	ctx, cancel := context.WithTimeout(context.Background(), labLimit)
	defer cancel()

	rows, err := db.conn.Query(ctx, `
		SELECT table_name::text || '.' || column_name::text
		FROM information_schema.columns
		WHERE table_schema = current_schema() AND is_nullable = 'YES'`)
	if err != nil {
		t.Fatalf("reading information_schema.columns: %v", err)
	}
	nullable, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("reading information_schema.columns: %v", err)
	}
	var missing []string
	for _, tc := range labShopColumns {
		for _, c := range tc.columns {
			if slices.Contains(nullable, tc.table+"."+c) {
				missing = append(missing, tc.table+"."+c)
			}
		}
	}
	if len(missing) > 0 {
		t.Errorf("these columns accept NULL: %s; want every column of the lesson NOT NULL\nhint: NULL means \"unknown\": an order without a customer or an item without a quantity is a bug that NOT NULL stops at the door",
			strings.Join(missing, ", "))
	}

	// Unique indexes: a UNIQUE constraint or a PRIMARY KEY makes one; so does CREATE UNIQUE INDEX.
	rows, err = db.conn.Query(ctx, `
		SELECT t.relname::text,
		       ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) k(n)
		             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n),
		       pg_get_indexdef(i.indexrelid)
		FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
		WHERE t.relnamespace = current_schema()::regnamespace AND i.indisunique AND i.indpred IS NULL`)
	if err != nil {
		t.Fatalf("reading pg_index: %v", err)
	}
	type uniq struct {
		table   string
		columns []string
		def     string
	}
	var uniques []uniq
	var u uniq
	if _, err := pgx.ForEachRow(rows, []any{&u.table, &u.columns, &u.def}, func() error {
		uniques = append(uniques, u)
		return nil
	}); err != nil {
		t.Fatalf("reading pg_index: %v", err)
	}
	for _, want := range []struct {
		table   string
		columns []string
		why     string
	}{
		{"customers", []string{"email"}, "two customers with one email is how a password reset reaches the wrong person: email text NOT NULL UNIQUE"},
		{"products", []string{"sku"}, "a SKU names one product; the second query of task indexes finds products by it: sku text NOT NULL UNIQUE"},
		{"order_items", []string{"order_id", "product_id"}, "a product appears once per order, with a quantity: PRIMARY KEY (order_id, product_id)"},
	} {
		found := false
		for _, u := range uniques {
			cols := slices.Clone(u.columns)
			slices.Sort(cols)
			wantCols := slices.Clone(want.columns)
			slices.Sort(wantCols)
			// An expression index such as UNIQUE (lower(email)) lists no plain column.
			expr := len(u.columns) == 0 && len(want.columns) == 1 && strings.Contains(u.def, want.columns[0])
			if u.table == want.table && (slices.Equal(cols, wantCols) || expr) {
				found = true
			}
		}
		if !found {
			t.Errorf("nothing makes (%s) unique in %s\nhint: %s", strings.Join(want.columns, ", "), want.table, want.why)
		}
	}
}

func TestSchemaRejectsInvalidRows(t *testing.T) {
	db := labSchemaDB(t)
	ctx, cancel := context.WithTimeout(context.Background(), labLimit)
	defer cancel()

	// Valid rows first: the schema must accept what the lesson describes.
	insert := func(sql string) int64 {
		t.Helper()
		var id int64
		if err := db.conn.QueryRow(ctx, sql).Scan(&id); err != nil {
			hint := ""
			if strings.Contains(err.Error(), "created_at") {
				hint = "\nhint: created_at timestamptz NOT NULL DEFAULT now(): the row gets the time of the insert"
			}
			t.Fatalf("%s\nwas refused: %v\nwant it accepted: it is a valid row%s", sql, err, hint)
		}
		return id
	}
	ann := insert(`INSERT INTO customers (email, name) VALUES ('ann@example.com', 'Ann') RETURNING id`)
	pen := insert(`INSERT INTO products (sku, name, price_cents) VALUES ('PEN-1', 'Pen', 120) RETURNING id`)
	notebook := insert(`INSERT INTO products (sku, name, price_cents) VALUES ('NB-1', 'Notebook', 450) RETURNING id`)
	order := insert(fmt.Sprintf(`INSERT INTO orders (customer_id, status) VALUES (%d, 'paid') RETURNING id`, ann))
	insert(fmt.Sprintf(`INSERT INTO order_items (order_id, product_id, quantity, unit_price_cents) VALUES (%d, %d, 3, 120) RETURNING order_id`, order, pen))
	noCustomer, noProduct, noOrder := ann+1000, notebook+1000, order+1000

	const (
		unique   = "23505"
		fk       = "23503"
		check    = "23514"
		notNull  = "23502"
		badEnum  = "22P02" // an enum type refuses unknown labels with invalid_text_representation
		anyCheck = check + "|" + badEnum
	)
	names := map[string]string{unique: "unique_violation", fk: "foreign_key_violation", check: "check_violation", notNull: "not_null_violation", anyCheck: "check_violation"}
	for _, tc := range []struct{ sql, want, hint string }{
		{`INSERT INTO customers (email, name) VALUES ('ann@example.com', 'Ann Again')`, unique,
			"customers.email must be UNIQUE"},
		{`INSERT INTO customers (email, name) VALUES ('bob@example.com', NULL)`, notNull,
			"customers.name must be NOT NULL"},
		{`INSERT INTO customers (email, name) VALUES (NULL, 'Nobody')`, notNull,
			"customers.email must be NOT NULL"},
		{`INSERT INTO products (sku, name, price_cents) VALUES ('PEN-1', 'Another pen', 99)`, unique,
			"products.sku must be UNIQUE"},
		{`INSERT INTO products (sku, name, price_cents) VALUES ('PEN-2', 'Free money', -1)`, check,
			"a price is never negative: price_cents integer NOT NULL CHECK (price_cents >= 0)"},
		{`INSERT INTO products (sku, name, price_cents) VALUES ('PEN-3', 'Pen', NULL)`, notNull,
			"products.price_cents must be NOT NULL"},
		{fmt.Sprintf(`INSERT INTO orders (customer_id, status) VALUES (%d, 'paid')`, noCustomer), fk,
			"there is no customer with that id: orders.customer_id REFERENCES customers (id)"},
		{`INSERT INTO orders (customer_id, status) VALUES (NULL, 'paid')`, notNull,
			"orders.customer_id must be NOT NULL: an order always has a customer"},
		{fmt.Sprintf(`INSERT INTO orders (customer_id, status) VALUES (%d, 'lost')`, ann), anyCheck,
			"a status is one of pending, paid, shipped, cancelled: CHECK (status IN ('pending', 'paid', 'shipped', 'cancelled'))"},
		{fmt.Sprintf(`INSERT INTO order_items (order_id, product_id, quantity, unit_price_cents) VALUES (%d, %d, 1, 120)`, order, pen), unique,
			"the pen is already in this order: a product appears once per order, PRIMARY KEY (order_id, product_id)"},
		{fmt.Sprintf(`INSERT INTO order_items (order_id, product_id, quantity, unit_price_cents) VALUES (%d, %d, 0, 450)`, order, notebook), check,
			"a quantity is at least 1: CHECK (quantity > 0)"},
		{fmt.Sprintf(`INSERT INTO order_items (order_id, product_id, quantity, unit_price_cents) VALUES (%d, %d, 1, -450)`, order, notebook), check,
			"a price is never negative: CHECK (unit_price_cents >= 0)"},
		{fmt.Sprintf(`INSERT INTO order_items (order_id, product_id, quantity, unit_price_cents) VALUES (%d, %d, 1, 450)`, order, noProduct), fk,
			"there is no product with that id: order_items.product_id REFERENCES products (id)"},
		{fmt.Sprintf(`INSERT INTO order_items (order_id, product_id, quantity, unit_price_cents) VALUES (%d, %d, 1, 450)`, noOrder, notebook), fk,
			"there is no order with that id: order_items.order_id REFERENCES orders (id)"},
		{fmt.Sprintf(`DELETE FROM products WHERE id = %d`, pen), fk,
			"an order still holds this product: a plain REFERENCES products (id) refuses the delete"},
		{fmt.Sprintf(`DELETE FROM customers WHERE id = %d`, ann), fk,
			"this customer has an order: keep the default ON DELETE NO ACTION on orders.customer_id; ON DELETE CASCADE would silently erase the customer's order history"},
	} {
		// Each statement in a transaction of its own, rolled back: a row wrongly accepted must
		// not turn the next statement's refusal into an unrelated one (a duplicate key).
		tx, err := db.conn.Begin(ctx)
		if err != nil {
			t.Fatalf("BEGIN: %v", err)
		}
		_, err = tx.Exec(ctx, tc.sql)
		_ = tx.Rollback(ctx)
		code := labSQLState(err)
		switch {
		case err == nil:
			t.Errorf("%s\nwas accepted, want it refused with SQLSTATE %s (%s)\nhint: %s", tc.sql, strings.Split(tc.want, "|")[0], names[tc.want], tc.hint)
		case !slices.Contains(strings.Split(tc.want, "|"), code):
			t.Errorf("%s\nwas refused with %v, want SQLSTATE %s (%s)\nhint: %s", tc.sql, err, strings.Split(tc.want, "|")[0], names[tc.want], tc.hint)
		}
	}
}

func TestSchemaIsNormalized(t *testing.T) {
	db := labSchemaDB(t)
	ctx, cancel := context.WithTimeout(context.Background(), labLimit)
	defer cancel()
	cols, err := labColumns(ctx, db.conn)
	if err != nil {
		t.Fatalf("reading information_schema.columns: %v", err)
	}
	for _, tc := range []struct {
		table   string
		columns []string
		why     string
	}{
		{"orders", []string{"email", "customer_email", "customer_name", "name"},
			"the customer's name and email live in customers; a copy in every order goes stale when the customer changes them (an update anomaly). Join on customer_id when you need them"},
		{"orders", []string{"product_id", "sku", "quantity", "items", "product_ids"},
			"an order holds any number of products: one row per product in order_items, not columns (or a list) in orders"},
		{"order_items", []string{"sku", "name", "product_name", "product_sku", "description"},
			"the product's name and SKU live in products (they depend on product_id alone, not on the item): join on product_id"},
		{"order_items", []string{"customer_id", "email", "customer_email"},
			"the customer is a fact of the order, not of each item: it is reached through order_id (a transitive dependency)"},
		{"customers", []string{"order_id", "orders", "order_ids"},
			"a customer has any number of orders: each order points to its customer, not the other way round"},
	} {
		for _, c := range tc.columns {
			if _, ok := cols[tc.table][c]; ok {
				t.Errorf("%s has a column %s\nhint: %s", tc.table, c, tc.why)
			}
		}
	}
	for _, table := range []string{"customers", "products", "orders", "order_items"} {
		for c, typ := range cols[table] {
			if typ == "ARRAY" || typ == "json" || typ == "jsonb" {
				t.Errorf("%s.%s is of type %s\nhint: a list inside a column breaks the first normal form: the database can neither check nor index what is in it, nor point a foreign key at it. Give the list a table of its own",
					table, c, typ)
			}
		}
	}
}
