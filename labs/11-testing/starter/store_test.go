package main

import (
	"os"
	"testing"
)

// TestStore runs against a real PostgreSQL: set DATABASE_URL (`lab services env` prints it).
// `lab check` always sets it.
func TestStore(t *testing.T) {
	if os.Getenv("DATABASE_URL") == "" {
		t.Skip("DATABASE_URL is not set: skipping the PostgreSQL tests")
	}
	// TODO(integration): connect with pgxpool, give every test its own transaction (rolled back
	// at the end) or its own schema, create fixtures, and test Create, MarkShipped and OpenOrders.
}
