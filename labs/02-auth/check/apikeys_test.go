//go:build labcheck

package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

const (
	reportingKey = "lab_sk_7Hq2vN9xKp4mR8tW3yZ6bC1dF5gJ0LsA"
	opsKey       = "lab_sk_Qe3rT8uY1iO6pA2sD7fG4hJ9kL0zXcVb"
)

func withKeys(c *Config) {
	c.APIKeys = []APIKey{
		{Name: "reporting", Key: reportingKey, Scopes: []string{"notes:read"}},
		{Name: "ops-bot", Key: opsKey, Scopes: []string{"notes:read", "users:read"}},
	}
}

func TestAPIKeyGrantsAccess(t *testing.T) {
	app, _ := newTestApp(t, withKeys)
	r := do(t, app, "GET", "/internal/notes", nil, header("X-API-Key", reportingKey))
	wantCode(t, r, http.StatusOK, "reporting's key has scope notes:read: hash the header, find the stored key with that hash, call next")
	var ns []Note
	r.decode(t, &ns)

	for _, bad := range []string{"", "lab_sk_not-a-key", reportingKey + "x", reportingKey[:len(reportingKey)-1], strings.ToLower(reportingKey)} {
		r := do(t, app, "GET", "/internal/notes", nil, header("X-API-Key", bad))
		wantCode(t, r, http.StatusUnauthorized, "a missing or unknown key: 401")
	}
}

func TestAPIKeyScopes(t *testing.T) {
	app, _ := newTestApp(t, withKeys)
	wantCode(t, do(t, app, "GET", "/internal/users", nil, header("X-API-Key", opsKey)), http.StatusOK,
		"ops-bot's key has scope users:read")
	wantCode(t, do(t, app, "GET", "/internal/users", nil, header("X-API-Key", reportingKey)), http.StatusForbidden,
		"reporting's key is valid (so not 401) but only has notes:read, and /internal/users needs users:read: 403")
}

func TestAPIKeysStoredHashed(t *testing.T) {
	app, _ := newTestApp(t, withKeys)
	if len(app.apiKeys) != 2 {
		t.Fatalf("newApp with 2 Config.APIKeys: got %d entries in app.apiKeys, want 2", len(app.apiKeys))
	}
	dump := fmt.Sprintf("%#v", app.apiKeys)
	for i, key := range []string{reportingKey, opsKey} {
		if strings.Contains(dump, key) {
			t.Fatalf("app.apiKeys holds the key %q itself, want only its hash: %s", key, short(dump))
		}
		sum := sha256.Sum256([]byte(key))
		want := hex.EncodeToString(sum[:])
		if got := app.apiKeys[i]; got.Hash != want {
			t.Fatalf("app.apiKeys[%d] (%s).Hash: got %q, want the hex SHA-256 of the key, %q", i, got.Name, short(got.Hash), want)
		}
	}
}
