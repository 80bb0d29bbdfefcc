package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"time"
)

// server holds what the handlers share.
type server struct {
	q *Queue
}

// newServer builds the HTTP API. The hidden tests call it with a queue on a real Redis, so
// keep this signature.
//
//	POST /emails     queue an email: 202 and the job's id
//	GET  /jobs/{id}  the job's state
func newServer(q *Queue) http.Handler {
	s := &server{q: q}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /emails", s.handlePostEmail)
	mux.HandleFunc("GET /jobs/{id}", s.handleGetJob)
	return mux
}

// jobJSON is a job as the API shows it.
type jobJSON struct {
	ID        string    `json:"id"`
	State     string    `json:"state"`
	Attempts  int       `json:"attempts"`
	To        string    `json:"to"`
	Subject   string    `json:"subject"`
	LastError string    `json:"last_error,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

func jobView(j Job) jobJSON {
	return jobJSON{ID: j.ID, State: j.State, Attempts: j.Attempts, To: j.Email.To,
		Subject: j.Email.Subject, LastError: j.LastError, CreatedAt: j.CreatedAt.UTC()}
}

// validateEmail checks an email before it is queued: the worker cannot ask the client.
func validateEmail(e Email) error {
	if _, err := mail.ParseAddress(e.To); err != nil {
		return fmt.Errorf(`"to" must be an email address like ada@example.com, got %q`, e.To)
	}
	if e.Subject == "" {
		return errors.New(`"subject" must not be empty`)
	}
	if len(e.Subject) > 200 {
		return errors.New(`"subject" is longer than 200 characters`)
	}
	return nil
}

func (s *server) handlePostEmail(w http.ResponseWriter, r *http.Request) {
	// TODO(enqueue): accept a valid email (a JSON object, checked by validateEmail: 400
	// otherwise), queue it, and answer 202 Accepted with the job and where to ask about it
	// (Location). Do not send anything here: a worker will.
	writeError(w, http.StatusNotImplemented, "POST /emails is not implemented yet")
}

func (s *server) handleGetJob(w http.ResponseWriter, r *http.Request) {
	// TODO(enqueue): the job's current state from Redis: 200 with jobView, 404 for an
	// unknown id.
	writeError(w, http.StatusNotImplemented, "GET /jobs/{id} is not implemented yet")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
