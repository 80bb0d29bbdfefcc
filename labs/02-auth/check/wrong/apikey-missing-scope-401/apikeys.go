//go:build labcheck

package main

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"slices"
)

// StoredAPIKey is what the app keeps of a service's key: its hash, never the key.
type StoredAPIKey struct {
	Name   string
	Hash   string // hex SHA-256 of the key
	Scopes []string
}

func storeAPIKeys(keys []APIKey) []StoredAPIKey {
	out := make([]StoredAPIKey, 0, len(keys))
	for _, k := range keys {
		out = append(out, StoredAPIKey{Name: k.Name, Hash: hashAPIKey(k.Key), Scopes: slices.Clone(k.Scopes)})
	}
	return out
}

// hashAPIKey is a fast hash on purpose: keys are long random strings, so nobody can guess
// them back from the hash, and every request pays for it.
func hashAPIKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// requireAPIKey lets a request through when X-API-Key holds a known key with the scope:
// 401 for a missing or unknown key, 403 for a known key without the scope.
func (a *App) requireAPIKey(scope string, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key, ok := a.findAPIKey(r.Header.Get("X-API-Key"))
		if !ok {
			writeError(w, http.StatusUnauthorized, "missing or invalid API key")
			return
		}
		if !slices.Contains(key.Scopes, scope) {
			writeError(w, http.StatusUnauthorized, "API key "+key.Name+" lacks scope "+scope)
			return
		}
		next(w, r)
	}
}

// findAPIKey compares the presented key's hash with every stored one in constant time, and
// looks at all of them, so timing reveals neither how much matched nor which key it was.
func (a *App) findAPIKey(presented string) (StoredAPIKey, bool) {
	if presented == "" {
		return StoredAPIKey{}, false
	}
	h := []byte(hashAPIKey(presented))
	var found StoredAPIKey
	ok := false
	for _, k := range a.apiKeys {
		if subtle.ConstantTimeCompare([]byte(k.Hash), h) == 1 {
			found, ok = k, true
		}
	}
	return found, ok
}

// GET /internal/notes (scope notes:read) -> 200 [every note]
func (a *App) handleInternalNotes(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, a.notes.All())
}

// GET /internal/users (scope users:read) -> 200 [{"username": ..., "role": ...}]
func (a *App) handleInternalUsers(w http.ResponseWriter, r *http.Request) {
	out := []userView{}
	for _, u := range a.users.All() {
		out = append(out, viewOf(u))
	}
	writeJSON(w, http.StatusOK, out)
}
