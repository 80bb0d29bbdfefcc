//go:build labcheck

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
// No LIKE: strpos finds q as plain text, so %, _ and \ mean themselves.
const searchWhere = `SELECT id, name, price_cents FROM products WHERE listed AND strpos(lower(name), lower($1)) > 0`

const (
	searchByID    = searchWhere + ` ORDER BY id`
	searchByName  = searchWhere + ` ORDER BY name, id`
	searchByPrice = searchWhere + ` ORDER BY price_cents, id`
)

func (a *App) handleSearchProducts(w http.ResponseWriter, r *http.Request) {
	if a.cfg.DB == nil {
		writeError(w, http.StatusServiceUnavailable, "no database configured")
		return
	}
	q := r.URL.Query().Get("q")
	var query string
	switch r.URL.Query().Get("sort") {
	case "":
		query = searchByID
	case "name":
		query = searchByName
	case "price":
		query = searchByPrice
	default:
		writeError(w, http.StatusBadRequest, "unknown sort key")
		return
	}
	rows, err := a.cfg.DB.Query(r.Context(), query, q)
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
