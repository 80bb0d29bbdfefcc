package main

import (
	"errors"
	"html/template"
	"net/http"
	"strings"
)

var accountPage = template.Must(template.New("account").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Your account</title></head>
<body>
<h1>Hello, {{.User.Username}}</h1>
<p>Your email address is <b>{{.User.Email}}</b>.</p>
<form method="post" action="/account/email">
  <input type="hidden" name="csrf_token" value="{{.CSRFToken}}">
  <label>New email <input type="email" name="email"></label>
  <button>Change</button>
</form>
</body>
</html>
`))

// handleAccountPage answers GET /account: a page with a form to change the email address.
func (a *App) handleAccountPage(w http.ResponseWriter, r *http.Request, u User) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	data := struct {
		User      User
		CSRFToken string
	}{u, a.csrfToken(w, r)}
	if err := accountPage.Execute(w, data); err != nil {
		internalError(w, r, err)
	}
}

// handleAccountEmail answers the form: POST /account/email (email=...) changes the address
// and sends the browser back to /account (303 See Other).
func (a *App) handleAccountEmail(w http.ResponseWriter, r *http.Request, u User) {
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "request body too large")
			return
		}
		writeError(w, http.StatusBadRequest, "malformed form")
		return
	}
	email := strings.TrimSpace(r.PostFormValue("email"))
	if !strings.Contains(email, "@") {
		writeError(w, http.StatusBadRequest, "that is not an email address")
		return
	}
	if err := a.users.SetEmail(r.Context(), u.Username, email); err != nil {
		internalError(w, r, err)
		return
	}
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

type me struct {
	Username string `json:"username"`
	Email    string `json:"email"`
}

// handleMe answers GET /api/me: {"username","email"}.
func (a *App) handleMe(w http.ResponseWriter, r *http.Request, u User) {
	writeJSON(w, http.StatusOK, me{u.Username, u.Email})
}

// handlePatchMe answers PATCH /api/me {"email"}: the single-page app's way to change it.
func (a *App) handlePatchMe(w http.ResponseWriter, r *http.Request, u User) {
	var body struct {
		Email string `json:"email"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	if !strings.Contains(body.Email, "@") {
		writeError(w, http.StatusBadRequest, "that is not an email address")
		return
	}
	if err := a.users.SetEmail(r.Context(), u.Username, body.Email); err != nil {
		internalError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, me{u.Username, body.Email})
}
