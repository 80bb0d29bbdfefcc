//go:build labcheck

package main

import (
	"net/http"
	"strconv"
)

// GET /me -> 200 {"username": "ada", "role": "user"}
func (a *App) handleMe(w http.ResponseWriter, r *http.Request, u User) {
	writeJSON(w, http.StatusOK, viewOf(u))
}

// canManage is the whole authorization policy for notes: owners manage theirs, admins any.
func canManage(u User, n Note) bool {
	return n.Owner == u.Username
}

// GET /notes -> 200 [notes the user may see]
func (a *App) handleListNotes(w http.ResponseWriter, r *http.Request, u User) {
	visible := []Note{}
	for _, n := range a.notes.All() {
		if canManage(u, n) {
			visible = append(visible, n)
		}
	}
	writeJSON(w, http.StatusOK, visible)
}

// POST /notes {"text": "..."} -> 201 {"id": 1, "owner": "ada", "text": "..."}
func (a *App) handleCreateNote(w http.ResponseWriter, r *http.Request, u User) {
	var in struct {
		Text string `json:"text"`
	}
	if !decodeJSON(w, r, &in) {
		return
	}
	if in.Text == "" {
		writeError(w, http.StatusBadRequest, "text is required")
		return
	}
	writeJSON(w, http.StatusCreated, a.notes.Add(u.Username, in.Text))
}

// GET /notes/{id} -> 200 note, 404 when there is none, 403 when it is not u's to see
func (a *App) handleGetNote(w http.ResponseWriter, r *http.Request, u User) {
	if n, ok := a.noteFor(w, r, u); ok {
		writeJSON(w, http.StatusOK, n)
	}
}

// DELETE /notes/{id} -> 204, 404 when there is none, 403 when it is not u's to delete
func (a *App) handleDeleteNote(w http.ResponseWriter, r *http.Request, u User) {
	if n, ok := a.noteFor(w, r, u); ok {
		a.notes.Delete(n.ID)
		w.WriteHeader(http.StatusNoContent)
	}
}

// noteFor finds the note in the path and checks u may manage it, or answers 404 or 403.
func (a *App) noteFor(w http.ResponseWriter, r *http.Request, u User) (Note, bool) {
	id, err := strconv.Atoi(r.PathValue("id"))
	n, ok := a.notes.Get(id)
	if err != nil || !ok {
		writeError(w, http.StatusNotFound, "no such note")
		return Note{}, false
	}
	if !canManage(u, n) {
		writeError(w, http.StatusForbidden, "this note belongs to someone else")
		return Note{}, false
	}
	return n, true
}

// GET /admin/users -> 200 [{"username": ..., "role": ...}], admins only
func (a *App) handleAdminUsers(w http.ResponseWriter, r *http.Request, u User) {
	if u.Role != roleAdmin {
		writeError(w, http.StatusForbidden, "admins only")
		return
	}
	out := []userView{}
	for _, u := range a.users.All() {
		out = append(out, viewOf(u))
	}
	writeJSON(w, http.StatusOK, out)
}
