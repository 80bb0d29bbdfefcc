//go:build labcheck

package main

import (
	"net/http"
	"strings"
)

// Product is one row of the products table, as the API shows it.
type Product struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	PriceCents int    `json:"price_cents"`
}

// sortColumns maps the values ?sort= may take to the ORDER BY they stand for. A column name
// cannot be a query parameter, so it is picked from this fixed list, never copied from input.
var sortColumns = map[string]string{
	"":      "id",
	"name":  "name, id",
	"price": "price_cents, id",
}

// likeEscaper makes %, _ and \ plain characters in a LIKE pattern (\ is PostgreSQL's
// default escape character).
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// handleSearchProducts answers GET /api/products?q=...&sort=name|price: the listed products
// whose name contains q, case-insensitively.
func (a *App) handleSearchProducts(w http.ResponseWriter, r *http.Request) {
	if a.cfg.DB == nil {
		writeError(w, http.StatusServiceUnavailable, "no database configured")
		return
	}
	q := r.URL.Query().Get("q")
	orderBy, ok := sortColumns[r.URL.Query().Get("sort")]
	if !ok {
		writeError(w, http.StatusBadRequest, `sort must be "name" or "price"`)
		return
	}
	// The SQL text is a constant plus a value from our own map; the user's text travels
	// separately, as parameter $1, and is never parsed as SQL.
	rows, err := a.cfg.DB.Query(r.Context(),
		`SELECT id, name, price_cents FROM products
		 WHERE listed AND name ILIKE '%`+likeEscaper.Replace(q)+`%'
		 ORDER BY `+orderBy)
	if err != nil {
		internalError(w, r, err)
		return
	}
	defer rows.Close()
	products := []Product{}
	for rows.Next() {
		var p Product
		if err := rows.Scan(&p.ID, &p.Name, &p.PriceCents); err != nil {
			internalError(w, r, err)
			return
		}
		products = append(products, p)
	}
	if err := rows.Err(); err != nil {
		internalError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"products": products})
}
