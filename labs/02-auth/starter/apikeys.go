package main

import (
	"net/http"
	"slices"
)

// StoredAPIKey is what the app keeps of a service's key.
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

// hashAPIKey turns a key into what the app stores.
func hashAPIKey(key string) string {
	// TODO(api-keys): return the hex SHA-256 of the key.
	// Keeping the key itself means anyone who reads memory, logs or a dump can use it.
	return key
}

// requireAPIKey lets a request through when X-API-Key holds a known key with the scope.
func (a *App) requireAPIKey(scope string, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		// TODO(api-keys): find the stored key whose hash is the hash of the X-API-Key header,
		// comparing in constant time. No header or no match: 401.
		// A match without the scope: 403. Otherwise call next(w, r).
		writeError(w, http.StatusUnauthorized, "missing or invalid API key")
	}
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
