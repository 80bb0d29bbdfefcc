package main

import (
	"net/http"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Config is everything the app takes from outside. The hidden tests build the app with
// newApp(Config{...}); main builds one from environment variables.
type Config struct {
	JWTSecret    []byte           // HMAC key that signs access tokens (HS256)
	Issuer       string           // the "iss" claim the app writes into tokens and requires back
	TokenTTL     time.Duration    // lifetime of an access token; 0 means 15 minutes
	SessionTTL   time.Duration    // lifetime of a cookie session; 0 means 12 hours
	Now          func() time.Time // the clock; nil means time.Now (the tests pass a fake one)
	PasswordCost int              // bcrypt cost; 0 means bcrypt.DefaultCost (the tests use bcrypt.MinCost)
	Admins       []string         // usernames that get the "admin" role when they sign up
	APIKeys      []APIKey         // service-to-service keys, as deployed; the app stores them hashed
	OAuth        OAuthConfig      // the "sign in with ..." provider
}

// APIKey is one service's key as it is deployed (for example from a secret manager).
type APIKey struct {
	Name   string   // who holds it, e.g. "reporting"
	Key    string   // the secret itself
	Scopes []string // what it may do, e.g. "notes:read"
}

// OAuthConfig describes the OAuth2 provider behind "sign in with ...".
type OAuthConfig struct {
	ClientID     string
	ClientSecret string
	AuthURL      string // where the browser goes to sign in and consent
	TokenURL     string // where the app trades the code for an access token
	UserInfoURL  string // where the app asks who signed in: {"sub": "...", "name": "..."}
	RedirectURL  string // this app's /oauth/callback, as registered with the provider
}

// App is the notes service. It is an http.Handler.
type App struct {
	cfg      Config
	mux      *http.ServeMux
	users    *UserStore     // the hidden tests read stored password hashes through it
	notes    *NoteStore     //
	apiKeys  []StoredAPIKey // what the app keeps of cfg.APIKeys (the tests read it too)
	sessions *SessionStore  // cookie sessions
	pending  *PendingLogins // OAuth2 sign-ins that went to the provider and have not come back
}

func newApp(cfg Config) *App {
	if cfg.TokenTTL == 0 {
		cfg.TokenTTL = 15 * time.Minute
	}
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.PasswordCost == 0 {
		cfg.PasswordCost = bcrypt.DefaultCost
	}
	a := &App{
		cfg:      cfg,
		mux:      http.NewServeMux(),
		users:    newUserStore(),
		notes:    newNoteStore(),
		apiKeys:  storeAPIKeys(cfg.APIKeys),
		sessions: newSessionStore(),
		pending:  newPendingLogins(),
	}
	a.routes()
	return a
}

func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.mux.ServeHTTP(w, r) }

func (a *App) routes() {
	m := a.mux
	// passwords.go
	m.HandleFunc("POST /signup", a.handleSignup)
	m.HandleFunc("POST /login", a.handleLogin)
	// notes.go: every route here needs a signed-in user (requireUser)
	m.HandleFunc("GET /me", a.requireUser(a.handleMe))
	m.HandleFunc("GET /notes", a.requireUser(a.handleListNotes))
	m.HandleFunc("POST /notes", a.requireUser(a.handleCreateNote))
	m.HandleFunc("GET /notes/{id}", a.requireUser(a.handleGetNote))
	m.HandleFunc("DELETE /notes/{id}", a.requireUser(a.handleDeleteNote))
	m.HandleFunc("GET /admin/users", a.requireUser(a.handleAdminUsers))
	// apikeys.go: service-to-service routes, X-API-Key only
	m.HandleFunc("GET /internal/notes", a.requireAPIKey("notes:read", a.handleInternalNotes))
	m.HandleFunc("GET /internal/users", a.requireAPIKey("users:read", a.handleInternalUsers))
	// sessions.go
	m.HandleFunc("POST /session/login", a.handleSessionLogin)
	m.HandleFunc("POST /session/logout", a.handleSessionLogout)
	// oauth.go
	m.HandleFunc("GET /oauth/login", a.handleOAuthLogin)
	m.HandleFunc("GET /oauth/callback", a.handleOAuthCallback)
}

// requireUser runs next with the signed-in user, or answers 401 when there is none.
// Authentication ("who are you?") happens here; authorization ("may you?") is next's job.
func (a *App) requireUser(next func(http.ResponseWriter, *http.Request, User)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, err := a.currentUser(r)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="notes"`)
			writeError(w, http.StatusUnauthorized, "authentication required")
			return
		}
		next(w, r, u)
	}
}

// currentUser finds who sent the request: a bearer token when there is an Authorization
// header (jwt.go), the session cookie otherwise (sessions.go).
func (a *App) currentUser(r *http.Request) (User, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		return a.userFromBearer(h)
	}
	return a.userFromSession(r)
}
