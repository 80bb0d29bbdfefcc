package main

import (
	"net/http"
)

// Product is one row of the products table, as the API shows it.
type Product struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	PriceCents int    `json:"price_cents"`
}

// handleSearchProducts answers GET /api/products?q=...&sort=name|price: the listed products
// whose name contains q, case-insensitively.
func (a *App) handleSearchProducts(w http.ResponseWriter, r *http.Request) {
	if a.cfg.DB == nil {
		writeError(w, http.StatusServiceUnavailable, "no database configured")
		return
	}
	q := r.URL.Query().Get("q")
	sort := r.URL.Query().Get("sort")
	switch sort {
	case "":
		sort = "id"
	case "price":
		sort = "price_cents"
	}
	// TODO(sql-injection): this query is built by pasting the user's text into SQL. Try
	// q=' OR '1'='1 and see what comes back. Keep the user's text out of the SQL text, make
	// %, _ and \ in it plain characters, and let ?sort= choose only from a fixed list ("name",
	// "price"; anything else is 400). Do not send database errors to the client either.
	sql := "SELECT id, name, price_cents FROM products WHERE listed AND name ILIKE '%" + q + "%' ORDER BY " + sort
	rows, err := a.cfg.DB.Query(r.Context(), sql)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	defer rows.Close()
	products := []Product{}
	for rows.Next() {
		var p Product
		if err := rows.Scan(&p.ID, &p.Name, &p.PriceCents); err != nil {
			writeError(w, http.StatusInternalServerError, err.Error())
			return
		}
		products = append(products, p)
	}
	if err := rows.Err(); err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"products": products})
}
