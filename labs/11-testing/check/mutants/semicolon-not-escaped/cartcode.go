//go:build labcheck

package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Line is one line of a shared cart.
type Line struct {
	SKU string
	Qty int
}

// EncodeCart turns a cart into a short code for a link: "MUG*2;TEA*1". In SKUs, the three
// characters the format uses are escaped: '%' as %25, '*' as %2A, ';' as %3B. An empty cart is
// the empty code. A line with an empty SKU or a quantity below 1 is an error.
func EncodeCart(lines []Line) (string, error) {
	var b strings.Builder
	for i, l := range lines {
		if l.SKU == "" {
			return "", fmt.Errorf("line %d: empty SKU", i+1)
		}
		if l.Qty < 1 {
			return "", fmt.Errorf("line %d (%s): quantity %d is below 1", i+1, l.SKU, l.Qty)
		}
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(escapeSKU(l.SKU))
		b.WriteByte('*')
		b.WriteString(strconv.Itoa(l.Qty))
	}
	return b.String(), nil
}

var skuEscaper = strings.NewReplacer("%", "%25", "*", "%2A")

func escapeSKU(s string) string { return skuEscaper.Replace(s) }

// DecodeCart reads a code made by EncodeCart. The empty code is an empty (nil) cart.
func DecodeCart(code string) ([]Line, error) {
	if code == "" {
		return nil, nil
	}
	var out []Line
	for i, part := range strings.Split(code, ";") {
		esc, qty, ok := strings.Cut(part, "*")
		if !ok {
			return nil, fmt.Errorf("line %d: %q has no '*'", i+1, part)
		}
		sku, err := unescapeSKU(esc)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", i+1, err)
		}
		n, err := strconv.Atoi(qty)
		if err != nil || n < 1 || strconv.Itoa(n) != qty {
			return nil, fmt.Errorf("line %d: bad quantity %q", i+1, qty)
		}
		if sku == "" {
			return nil, fmt.Errorf("line %d: empty SKU", i+1)
		}
		out = append(out, Line{SKU: sku, Qty: n})
	}
	return out, nil
}

var errBadEscape = errors.New("bad escape in SKU")

func unescapeSKU(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", fmt.Errorf("%w: %q", errBadEscape, s)
		}
		switch s[i+1 : i+3] {
		case "25":
			b.WriteByte('%')
		case "2A":
			b.WriteByte('*')
		case "3B":
			b.WriteByte(';')
		default:
			return "", fmt.Errorf("%w: %q", errBadEscape, s)
		}
		i += 2
	}
	return b.String(), nil
}
