package main

import (
	"errors"
	"net/http"
	"net/netip"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Config is everything the app takes from outside. The hidden tests build the app with
// newApp(Config{...}); main builds one from environment variables.
type Config struct {
	DB             *pgxpool.Pool    // products (and users, when Users is nil); nil: /api/products answers 503
	Users          UserStore        // where accounts live; nil means the users table in DB
	Now            func() time.Time // the clock; nil means time.Now (the tests pass a fake one)
	Argon2         Argon2Params     // the current password-hashing parameters; zero means DefaultArgon2
	AllowedOrigins []string         // origins allowed to call /api/ with cookies, like "https://app.shop.example"
	TrustedProxies []netip.Prefix   // the reverse proxies whose X-Forwarded-* headers we believe
	MaxBodyBytes   int64            // the largest request body accepted; 0 means 1 MiB
	LoginLimits    LoginLimits      // brute-force protection of POST /login
}

// LoginLimits bounds failed logins. Zero fields take the defaults in brackets.
type LoginLimits struct {
	PerAccount int           // failed attempts for one username within Window [5]
	PerIP      int           // failed attempts from one client IP within Window [20]
	Window     time.Duration // how long a failure counts [15 minutes]
}

// App is the shop. It is an http.Handler.
type App struct {
	cfg      Config
	mux      *http.ServeMux
	handler  http.Handler // mux wrapped in the security middleware
	users    UserStore
	sessions *SessionStore
	limiter  *loginLimiter
	cors     *corsPolicy
	dummy    lazyHash // passwords.go
}

func newApp(cfg Config) (http.Handler, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Argon2 == (Argon2Params{}) {
		cfg.Argon2 = DefaultArgon2
	}
	if cfg.Argon2.SaltLen == 0 {
		cfg.Argon2.SaltLen = 16
	}
	if cfg.Argon2.KeyLen == 0 {
		cfg.Argon2.KeyLen = 32
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.LoginLimits.PerAccount == 0 {
		cfg.LoginLimits.PerAccount = 5
	}
	if cfg.LoginLimits.PerIP == 0 {
		cfg.LoginLimits.PerIP = 20
	}
	if cfg.LoginLimits.Window == 0 {
		cfg.LoginLimits.Window = 15 * time.Minute
	}
	users := cfg.Users
	if users == nil {
		if cfg.DB == nil {
			return nil, errors.New("newApp: no user store: set Config.DB (PostgreSQL) or Config.Users")
		}
		users = &pgUsers{db: cfg.DB}
	}
	cors, err := newCORS(cfg.AllowedOrigins)
	if err != nil {
		return nil, err
	}
	a := &App{
		cfg:      cfg,
		mux:      http.NewServeMux(),
		users:    users,
		sessions: newSessionStore(),
		limiter:  newLoginLimiter(cfg.LoginLimits),
		cors:     cors,
	}
	a.routes()
	// From the outside in: HTTPS and headers first, then CORS (a preflight carries no cookie
	// and must be answered before anything asks for one), then CSRF, then the routes.
	a.handler = a.transport(a.cors.handler(a.csrfProtect(a.mux)))
	return a, nil
}

func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.handler.ServeHTTP(w, r) }

func (a *App) routes() {
	m := a.mux
	// products.go
	m.HandleFunc("GET /api/products", a.handleSearchProducts)
	// passwords.go
	m.HandleFunc("POST /signup", a.handleSignup)
	m.HandleFunc("POST /login", a.handleLogin)
	// account.go: a signed-in user (cookie session)
	m.HandleFunc("GET /account", a.requireUser(a.handleAccountPage))
	m.HandleFunc("POST /account/email", a.requireUser(a.handleAccountEmail))
	m.HandleFunc("GET /api/me", a.requireUser(a.handleMe))
	m.HandleFunc("PATCH /api/me", a.requireUser(a.handlePatchMe))
}
