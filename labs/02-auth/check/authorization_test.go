//go:build labcheck

package main

import (
	"fmt"
	"net/http"
	"testing"
)

// createNote posts a note as the token's user and returns it.
func createNote(t *testing.T, app *App, tok, text string) Note {
	t.Helper()
	r := do(t, app, "POST", "/notes", map[string]string{"text": text}, bearer(tok))
	wantCode(t, r, http.StatusCreated, "")
	var n Note
	r.decode(t, &n)
	if n.ID == 0 {
		t.Fatalf("%s: got %s, want a note with an id", r.req, r)
	}
	return n
}

func listNotes(t *testing.T, app *App, tok string) (reply, []Note) {
	t.Helper()
	r := do(t, app, "GET", "/notes", nil, bearer(tok))
	wantCode(t, r, http.StatusOK, "")
	var ns []Note
	r.decode(t, &ns)
	return r, ns
}

func TestUsersSeeOnlyTheirOwnNotes(t *testing.T) {
	app, _ := newTestApp(t)
	ada := userToken(t, app, "ada")
	bob := userToken(t, app, "bob")
	mine := createNote(t, app, ada, "ada's diary")
	createNote(t, app, bob, "bob's shopping list")

	r, ns := listNotes(t, app, ada)
	if len(ns) != 1 || ns[0].ID != mine.ID {
		t.Fatalf("%s as ada, with one note by ada and one by bob: got %s, want only ada's note %d\nhint: filter by owner unless the user is an admin", r.req, r, mine.ID)
	}
	wantCode(t, do(t, app, "GET", "/notes", nil), http.StatusUnauthorized, "no credentials at all: 401")
}

func TestUsersCannotTouchOthersNotes(t *testing.T) {
	app, _ := newTestApp(t)
	ada := userToken(t, app, "ada")
	bob := userToken(t, app, "bob")
	n := createNote(t, app, ada, "ada's diary")
	path := fmt.Sprintf("/notes/%d", n.ID)

	const hint403 = "bob is signed in (so not 401) but the note is ada's: 403 Forbidden"
	wantCode(t, do(t, app, "GET", path, nil, bearer(bob)), http.StatusForbidden, hint403)
	wantCode(t, do(t, app, "DELETE", path, nil, bearer(bob)), http.StatusForbidden, hint403)
	wantCode(t, do(t, app, "GET", path, nil, bearer(ada)), http.StatusOK, "bob's DELETE must not have removed ada's note")
	wantCode(t, do(t, app, "GET", "/notes/9999", nil, bearer(bob)), http.StatusNotFound, "a note that does not exist: 404")
	wantCode(t, do(t, app, "DELETE", path, nil, bearer(ada)), http.StatusNoContent, "owners may delete their notes")
	wantCode(t, do(t, app, "GET", path, nil, bearer(ada)), http.StatusNotFound, "")
}

func TestAdminsManageAnyNote(t *testing.T) {
	app, _ := newTestApp(t) // Config.Admins = [root]
	ada := userToken(t, app, "ada")
	root := userToken(t, app, "root")
	n := createNote(t, app, ada, "ada's diary")
	own := createNote(t, app, root, "root's todo")
	path := fmt.Sprintf("/notes/%d", n.ID)

	r, ns := listNotes(t, app, root)
	if len(ns) != 2 {
		t.Fatalf("%s as root (an admin), with notes %d by ada and %d by root: got %s, want both", r.req, n.ID, own.ID, r)
	}
	wantCode(t, do(t, app, "GET", path, nil, bearer(root)), http.StatusOK, "admins may read any note")
	wantCode(t, do(t, app, "DELETE", path, nil, bearer(root)), http.StatusNoContent, "admins may delete any note")
	wantCode(t, do(t, app, "GET", path, nil, bearer(ada)), http.StatusNotFound, "root deleted it")
}

func TestOnlyAdminsListUsers(t *testing.T) {
	app, _ := newTestApp(t)
	ada := userToken(t, app, "ada")
	root := userToken(t, app, "root")

	wantCode(t, do(t, app, "GET", "/admin/users", nil), http.StatusUnauthorized, "nobody signed in: 401")
	wantCode(t, do(t, app, "GET", "/admin/users", nil, bearer(ada)), http.StatusForbidden,
		"ada is signed in but is not an admin: 403 (401 would tell her to sign in again, which cannot help)")
	r := do(t, app, "GET", "/admin/users", nil, bearer(root))
	wantCode(t, r, http.StatusOK, "root is an admin")
	var us []struct{ Username, Role string }
	r.decode(t, &us)
	if len(us) != 2 || us[0] != (struct{ Username, Role string }{"ada", "user"}) || us[1] != (struct{ Username, Role string }{"root", "admin"}) {
		t.Fatalf(`%s: got %s, want [{"username":"ada","role":"user"},{"username":"root","role":"admin"}]`, r.req, r)
	}
}
