package main

import (
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Config is everything newApp needs. The hidden tests build the app through newApp, with a
// logger that writes JSON into a buffer and a fake clock.
type Config struct {
	Logger       *slog.Logger      // where access logs and panics go; nil discards them
	Tokens       map[string]string // bearer token → user name
	Rate         rate.Limit        // tokens per second added to each client's bucket
	Burst        int               // bucket size: how many requests a client may send at once
	IdleTTL      time.Duration     // a client's bucket is dropped after this long without requests
	MaxBodyBytes int64             // largest request body accepted (bytes)
	Now          func() time.Time  // the clock; nil means time.Now
}

func (c Config) withDefaults() Config {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Rate == 0 {
		c.Rate = 5
	}
	if c.Burst == 0 {
		c.Burst = 10
	}
	if c.IdleTTL == 0 {
		c.IdleTTL = 10 * time.Minute
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = 1 << 20
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// newApp wires the routes and the middleware. It is complete: the middleware it calls are not.
//
// Every request goes through the global chain, outermost first:
//
//	requestID → logging → recoverer → rateLimit → mux
//
// and the /api/ routes are wrapped, one by one, in authenticate (and jsonBody for writes).
// /healthz is public: it is registered without authenticate.
func newApp(cfg Config) http.Handler {
	cfg = cfg.withDefaults()
	notes := &noteStore{notes: map[int]note{}}
	protect := authenticate(cfg.Tokens)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", handleHealth)
	mux.Handle("GET /api/v1/me", protect(http.HandlerFunc(handleMe)))
	mux.Handle("GET /api/v1/notes", protect(http.HandlerFunc(notes.list)))
	mux.Handle("POST /api/v1/notes", protect(jsonBody(cfg.MaxBodyBytes)(http.HandlerFunc(notes.create))))

	limiter := newRateLimiter(cfg.Rate, cfg.Burst, cfg.IdleTTL, cfg.Now)
	return chain(mux,
		requestID(),
		logging(cfg.Logger),
		recoverer(cfg.Logger),
		rateLimit(limiter),
	)
}

func handleHealth(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// handleMe answers with the user authenticate put in the context.
func handleMe(w http.ResponseWriter, r *http.Request) {
	user, _ := userFrom(r.Context())
	writeJSON(w, http.StatusOK, map[string]string{"user": user})
}

type note struct {
	ID    int    `json:"id"`
	Title string `json:"title"`
	Body  string `json:"body"`
	Owner string `json:"owner"`
}

// noteInput is the body of POST /api/v1/notes. Its validate method lives in validate.go.
type noteInput struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

type noteStore struct {
	mu     sync.Mutex
	nextID int
	notes  map[int]note
}

func (s *noteStore) create(w http.ResponseWriter, r *http.Request) {
	var in noteInput
	if !decodeJSON(w, r, &in) {
		return // decodeJSON has written the error response
	}
	if fields := in.validate(); len(fields) > 0 {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{
			"error":  "validation failed",
			"fields": fields,
		})
		return
	}
	owner, _ := userFrom(r.Context())

	s.mu.Lock()
	s.nextID++
	n := note{ID: s.nextID, Title: strings.TrimSpace(in.Title), Body: in.Body, Owner: owner}
	s.notes[n.ID] = n
	s.mu.Unlock()

	writeJSON(w, http.StatusCreated, n)
}

func (s *noteStore) list(w http.ResponseWriter, r *http.Request) {
	owner, _ := userFrom(r.Context())
	s.mu.Lock()
	out := []note{}
	for id := 1; id <= s.nextID; id++ {
		if n, ok := s.notes[id]; ok && n.Owner == owner {
			out = append(out, n)
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}
