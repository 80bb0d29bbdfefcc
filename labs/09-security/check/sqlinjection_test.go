//go:build labcheck

package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The shop's tables as the tests create them (the same as schema.sql). The rows are inserted
// out of id order, so a search without ORDER BY id comes back in the wrong order.
const labShopSchema = `
CREATE TABLE products (
    id          bigint  PRIMARY KEY,
    name        text    NOT NULL,
    price_cents integer NOT NULL,
    listed      boolean NOT NULL DEFAULT true
);
CREATE TABLE admin_tokens (id bigint PRIMARY KEY, token text NOT NULL);
INSERT INTO products (id, name, price_cents, listed) VALUES
    (3, 'Gopher Plush', 1500, true),
    (5, 'snake_case Sticker', 300, true),
    (1, 'Go Programming Mug', 1200, true),
    (6, 'Unreleased Gopher Console', 49900, false),
    (4, '100% Cotton Gopher Tee', 2500, true),
    (2, 'O''Reilly Go Book', 3900, true);
INSERT INTO admin_tokens (id, token) VALUES (1, 'adm_live_SECRET_x7Q9');
`

const labSecretToken = "adm_live_SECRET_x7Q9"

// labShopApp is the app over a fresh copy of the shop's tables.
func labShopApp(t *testing.T) (*labApp, *labDBHandle) {
	t.Helper()
	db := labDB(t, labShopSchema)
	app := labNewApp(t, func(c *Config) { c.DB = db })
	return app, &labDBHandle{t: t, db: db}
}

type labProduct struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	PriceCents int    `json:"price_cents"`
}

// labSearch sends GET /api/products with q (and sort, when not "").
func labSearch(a *labApp, q, sort string) *labExchange {
	a.t.Helper()
	v := url.Values{}
	v.Set("q", q)
	if sort != "" {
		v.Set("sort", sort)
	}
	return a.send(labReq{method: http.MethodGet, url: labSite + "/api/products?" + v.Encode()})
}

// products checks a 200 {"products": [...]} answer and returns the ids in order.
func (e *labExchange) products(what string) []int64 {
	e.t.Helper()
	if e.status != http.StatusOK {
		hint := ""
		if e.status == http.StatusInternalServerError {
			hint = "a 500 means PostgreSQL could not run the query: the search text was pasted into the SQL and " +
				"changed its meaning. Send it as a parameter ($1) instead (TODO(sql-injection) in products.go)"
		}
		e.fail(fmt.Sprintf("%s: got status %d %s, want 200 OK", what, e.status, http.StatusText(e.status)), hint)
	}
	var body struct {
		Products []labProduct `json:"products"`
	}
	e.decodeJSON(&body)
	ids := []int64{}
	for _, p := range body.Products {
		ids = append(ids, p.ID)
	}
	return ids
}

func TestSearchFindsNamesWithQuotes(t *testing.T) {
	app, _ := labShopApp(t)
	cases := []struct {
		q    string
		want []int64
	}{
		{"go", []int64{1, 2, 3, 4}},
		{"", []int64{1, 2, 3, 4, 5}},
		{"O'Reilly", []int64{2}},
		{"o'reilly go", []int64{2}},
		{"Gopher's", []int64{}},
		{`"Mug"`, []int64{}},
	}
	for _, c := range cases {
		e := labSearch(app, c.q, "")
		got := e.products(fmt.Sprintf("searching for %q", c.q))
		if !slices.Equal(got, c.want) {
			e.fail(fmt.Sprintf("searching for %q: got products %v, want %v (the listed products whose name contains it, ignoring case, by id)", c.q, got, c.want))
		}
	}
}

func TestSearchInjectionLeaksNoRows(t *testing.T) {
	app, _ := labShopApp(t)
	payloads := []string{
		`' OR '1'='1`,
		`%' OR 1=1 --`,
		`' OR listed = false --`,
		`Gopher%' OR NOT listed OR name ILIKE '%`,
	}
	for _, p := range payloads {
		e := labSearch(app, p, "")
		got := e.products(fmt.Sprintf("the payload q=%s", p))
		if len(got) != 0 {
			e.fail(fmt.Sprintf("the payload q=%s: got products %v, want none (no product has that text in its name)", p, got),
				"the quote in the payload ended the SQL string literal and the rest became SQL: product 6 is not even listed. "+
					"Pass q as a query parameter: WHERE listed AND name ILIKE '%' || $1 || '%'")
		}
	}
}

func TestSearchUnionCannotReadSecrets(t *testing.T) {
	app, _ := labShopApp(t)
	payloads := []string{
		`%' UNION SELECT id, token, 0 FROM admin_tokens --`,
		`zzz' UNION ALL SELECT 1, token, 1 FROM admin_tokens WHERE '1'='1`,
		`' UNION SELECT 1, string_agg(table_name, ','), 0 FROM information_schema.tables --`,
	}
	for _, p := range payloads {
		e := labSearch(app, p, "")
		if strings.Contains(string(e.body), labSecretToken) {
			e.fail(fmt.Sprintf("the payload q=%s read the secret admin token %q out of another table", p, labSecretToken),
				"UNION SELECT appends the rows of any table to the search results. Send q as a parameter ($1): then it is only ever a value")
		}
		if got := e.products(fmt.Sprintf("the payload q=%s", p)); len(got) != 0 {
			e.fail(fmt.Sprintf("the payload q=%s: got products %v, want none", p, got))
		}
	}
}

func TestSearchStackedQueriesDropNothing(t *testing.T) {
	app, db := labShopApp(t)
	payloads := []string{
		`'; DROP TABLE products; --`,
		`x'; DELETE FROM admin_tokens; --`,
		`'; UPDATE products SET price_cents = 1; --`,
	}
	for _, p := range payloads {
		e := labSearch(app, p, "")
		if got := e.products(fmt.Sprintf("the payload q=%s", p)); len(got) != 0 {
			e.fail(fmt.Sprintf("the payload q=%s: got products %v, want none", p, got))
		}
		if msg := db.intact(); msg != "" {
			e.fail(fmt.Sprintf("after the payload q=%s, %s", p, msg))
		}
	}
}

func TestSearchWildcardsAreLiteral(t *testing.T) {
	app, _ := labShopApp(t)
	cases := []struct {
		q    string
		want []int64
	}{
		{"100%", []int64{4}},
		{"%", []int64{4}},
		{"_", []int64{5}},
		{"e_c", []int64{5}},
		{"%%%%", []int64{}},
		{`\`, []int64{}},
	}
	for _, c := range cases {
		e := labSearch(app, c.q, "")
		got := e.products(fmt.Sprintf("searching for %q", c.q))
		if !slices.Equal(got, c.want) {
			e.fail(fmt.Sprintf("searching for %q: got products %v, want %v (the names that contain those very characters)", c.q, got, c.want),
				`in a LIKE pattern % and _ are wildcards and \ escapes: a parameter keeps them. Escape them in the value `+
					`(strings.NewReplacer(`+"`\\`, `\\\\`, `%`, `\\%`, `_`, `\\_`"+`)) or search with strpos(lower(name), lower($1)) > 0`)
		}
	}
}

func TestSearchDatabaseErrorIsPlain500(t *testing.T) {
	db := labDB(t) // an empty schema: the products table does not exist
	app := labNewApp(t, func(c *Config) { c.DB = db })
	e := labSearch(app, "go", "")
	if e.status != http.StatusInternalServerError {
		e.fail(fmt.Sprintf("searching with no products table: got status %d %s, want 500 Internal Server Error", e.status, http.StatusText(e.status)))
	}
	body := strings.ToLower(string(e.body))
	for _, leak := range []string{"products", "relation", "sqlstate", "select"} {
		if strings.Contains(body, leak) {
			e.fail(fmt.Sprintf("searching with no products table: the 500's body mentions %q", leak),
				"a database error tells an attacker how your query looks and which tables exist: log it and answer a plain 500 (internalError in httpx.go)")
		}
	}
}

func TestSortAcceptsOnlyKnownKeys(t *testing.T) {
	app, db := labShopApp(t)
	byName := db.ids("SELECT id FROM products WHERE listed ORDER BY name, id")
	for _, c := range []struct {
		sort string
		want []int64
	}{
		{"name", byName},
		{"price", []int64{5, 1, 3, 4, 2}},
	} {
		e := labSearch(app, "", c.sort)
		got := e.products("sort=" + c.sort)
		if !slices.Equal(got, c.want) {
			e.fail(fmt.Sprintf("sort=%s: got products in the order %v, want %v", c.sort, got, c.want),
				`sort=name orders by name, sort=price by price_cents (cheapest first)`)
		}
	}
	payloads := []string{
		`name; DROP TABLE products --`,
		`(SELECT token FROM admin_tokens)`,
		`CASE WHEN (SELECT count(*) FROM admin_tokens) > 0 THEN name ELSE price_cents::text END`,
		`price_cents`,
	}
	for _, p := range payloads {
		e := labSearch(app, "", p)
		if e.status != http.StatusBadRequest {
			e.fail(fmt.Sprintf("sort=%s: got status %d %s, want 400 Bad Request", p, e.status, http.StatusText(e.status)),
				`a column name cannot be a $1 parameter, so ?sort= must choose from a fixed list: map "name" and "price" to `+
					`the ORDER BY you wrote yourself and answer 400 for anything else; never paste the value into the SQL`)
		}
		if msg := db.intact(); msg != "" {
			e.fail(fmt.Sprintf("after sort=%s, %s", p, msg))
		}
	}
}

// labDBHandle reads the tables with the test's own connections.
type labDBHandle struct {
	t  *testing.T
	db *pgxpool.Pool
}

// intact says what is wrong with the shop's tables after an attack, "" when nothing is.
func (h *labDBHandle) intact() string {
	h.t.Helper()
	n, err := labQueryInt(h.t, h.db, "SELECT count(*) FROM products")
	if err != nil {
		return fmt.Sprintf("the products table is gone or broken: %v", err)
	}
	if n != 6 {
		return fmt.Sprintf("the products table has %d rows, want the 6 it had", n)
	}
	if sum, err := labQueryInt(h.t, h.db, "SELECT sum(price_cents)::int FROM products"); err != nil || sum != 59300 {
		return fmt.Sprintf("the prices changed: their sum is %d, want 59300 (%v)", sum, err)
	}
	if n, err := labQueryInt(h.t, h.db, "SELECT count(*) FROM admin_tokens"); err != nil || n != 1 {
		return fmt.Sprintf("the admin_tokens table is gone or emptied (%d rows, %v)", n, err)
	}
	return ""
}

// ids runs a query returning ids.
func (h *labDBHandle) ids(query string) []int64 {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), labTimeout)
	defer cancel()
	rows, err := h.db.Query(ctx, query)
	if err != nil {
		h.t.Fatalf("setting up: %s: %v", query, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		h.t.Fatalf("setting up: %s: %v", query, err)
	}
	return ids
}
