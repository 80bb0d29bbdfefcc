package main

import "net/http"

// User is what the users service knows about someone.
type User struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

var users = map[string]User{
	"u1": {ID: "u1", Name: "Ada Lovelace"},
	"u2": {ID: "u2", Name: "Grace Hopper"},
}

// newUsers is the users service: GET /users/{id}. instance names the copy that answered, so
// that you can watch the gateway spread requests across copies.
func newUsers(instance string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Served-By", instance)
		u, ok := users[r.PathValue("id")]
		if !ok {
			writeError(w, http.StatusNotFound, "no user "+r.PathValue("id"))
			return
		}
		writeJSON(w, http.StatusOK, u)
	})
	mux.HandleFunc("GET /users", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Served-By", instance)
		list := []User{users["u1"], users["u2"]}
		writeJSON(w, http.StatusOK, list)
	})
	return mux
}
