// Package services runs the Redis and PostgreSQL a lab needs: through testcontainers, local
// binaries, or URLs the learner gives.
//
// A Manager picks a provider per service (LAB_SERVICES=auto|docker|local|external), keeps one
// server per service for the life of the process (Docker containers also outlive it, named and
// labelled, so the next check reuses them), and isolates every Acquire by credentials: a Redis
// server of the check's own with its own user, and a fresh PostgreSQL database owned by a role
// of its own, both dropped on release (isolate.go).
package services

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Names of the services a lab.toml may list.
const (
	Redis    = "redis"
	Postgres = "postgres"
)

// Acquirer makes services ready for one check. Each call gets isolated state (its own Redis
// server, a fresh PostgreSQL database and role); release drops that state. env holds
// REDIS_URL=... and DATABASE_URL=... for the tests and the learner's service.
type Acquirer interface {
	Acquire(ctx context.Context, names []string) (env []string, release func(), err error)
}

// Modes of LAB_SERVICES.
const (
	ModeAuto     = "auto"
	ModeDocker   = "docker"
	ModeLocal    = "local"
	ModeExternal = "external"
)

// Env var names handed to tests and the learner's service.
const (
	RedisURLVar    = "REDIS_URL"
	DatabaseURLVar = "DATABASE_URL"
)

// ErrUnavailable is wrapped by every error that means "this machine cannot run the services"
// (as opposed to a cancelled context or a broken server): the CLI maps it to exit code 3.
var ErrUnavailable = errors.New("services unavailable")

// Options configure a Manager. The zero value reads everything from the environment.
type Options struct {
	Mode   string              // auto|docker|local|external; "" reads $LAB_SERVICES, then auto
	Getenv func(string) string // defaults to os.Getenv
	// ClaimTTL bounds how long a dead check's Redis claim blocks its database number; live
	// claims are refreshed every ClaimTTL/3. Default 60 s.
	ClaimTTL time.Duration
	// Docker tunes the Docker provider (tests use their own names and labels).
	Docker DockerOptions
	// Logf, when set, receives one line per notable step (provider chosen, container started).
	Logf func(format string, args ...any)
}

// Manager implements Acquirer. It is safe for concurrent use. Close stops what this process
// started itself (local binaries); containers are kept for reuse (see Down).
type Manager struct {
	opt  Options
	mode string

	mu        sync.Mutex
	providers []provider              // in the order auto tries them
	servers   map[string]*serverLease // started or found, per service
	users     map[string]int          // acquisitions in flight, per service
	closed    bool
}

// New returns a Manager; it starts nothing until Acquire.
func New(opt Options) *Manager {
	if opt.Getenv == nil {
		opt.Getenv = osGetenv
	}
	if opt.ClaimTTL <= 0 {
		opt.ClaimTTL = 60 * time.Second
	}
	mode := strings.ToLower(strings.TrimSpace(opt.Mode))
	if mode == "" {
		mode = strings.ToLower(strings.TrimSpace(opt.Getenv("LAB_SERVICES")))
	}
	if mode == "" {
		mode = ModeAuto
	}
	quietOnce.Do(func() { redis.SetLogger(quietLogger{}) }) // lab reports errors itself
	m := &Manager{opt: opt, mode: mode, servers: map[string]*serverLease{}, users: map[string]int{}}
	return m
}

var quietOnce sync.Once

type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}

// Mode is the mode in effect (auto, docker, local or external).
func (m *Manager) Mode() string { return m.mode }

func (m *Manager) logf(format string, args ...any) {
	if m.opt.Logf != nil {
		m.opt.Logf(format, args...)
	}
}

// Server describes a running service for manual use (lab services up/env): Redis db 0 and the
// PostgreSQL database "lab". Checks never use these (they get their own db number/database).
type Server struct {
	Service  string // redis or postgres
	Provider string // docker, local or external
	URL      string // the URL to hand to a program
	Detail   string // e.g. the container name or the data directory
	// Persistent: the server outlives this process (a container, an external server, or the
	// local binaries of a `lab services up` in another process).
	Persistent bool
}

// serverLease is a server that some provider holds for this process.
type serverLease struct {
	srv  *server
	prov provider
}

// Acquire starts (or reuses) the named services and returns isolated URLs for one check.
// release is idempotent and never blocks for more than a few seconds; call it even when the
// check was cancelled.
func (m *Manager) Acquire(ctx context.Context, names []string) ([]string, func(), error) {
	names = normalize(names)
	if len(names) == 0 {
		return nil, func() {}, nil
	}
	for _, n := range names {
		if n != Redis && n != Postgres {
			return nil, nil, fmt.Errorf("unknown service %q (known: redis, postgres)", n)
		}
	}
	var (
		env      []string
		releases []func()
	)
	releaseAll := func() {
		for i := len(releases) - 1; i >= 0; i-- {
			releases[i]()
		}
	}
	t0 := time.Now()
	servers, err := m.serversFor(ctx, names)
	if err != nil {
		return nil, nil, err
	}
	m.logf("servers ready in %v", time.Since(t0).Round(time.Millisecond))
	for _, n := range names {
		t1 := time.Now()
		srv := servers[n]
		var (
			url string
			rel func()
			err error
		)
		for attempt := 0; ; attempt++ {
			switch n {
			case Redis:
				url, rel, err = isolateRedis(ctx, srv, m.opt.ClaimTTL)
			case Postgres:
				url, rel, err = createDatabase(ctx, srv.url)
			}
			if err == nil || attempt > 0 || ctx.Err() != nil || !errors.Is(err, errConnect) {
				break
			}
			// The server was checked cheaply and does not answer after all: start it again.
			m.forget(n)
			var fresh map[string]*server
			if fresh, err = m.serversFor(ctx, []string{n}); err != nil {
				break
			}
			m.done([]string{n}) // serversFor counted this user a second time
			srv = fresh[n]
		}
		if err != nil {
			releaseAll()
			m.done(names)
			return nil, nil, fmt.Errorf("%s (%s): %w", n, srv.via, err)
		}
		m.logf("%s isolated in %v", n, time.Since(t1).Round(time.Millisecond))
		releases = append(releases, rel)
		switch n {
		case Redis:
			env = append(env, RedisURLVar+"="+url)
		case Postgres:
			env = append(env, DatabaseURLVar+"="+url)
		}
	}
	var once sync.Once
	return env, func() {
		once.Do(func() {
			releaseAll()
			m.done(names)
		})
	}, nil
}

// Servers starts (or finds) the named services and returns them for manual use: Redis db 0 and
// the PostgreSQL database "lab" (created if missing). They stay up: in Docker until `lab services
// down`; as local binaries until Close.
func (m *Manager) Servers(ctx context.Context, names []string) ([]Server, error) {
	names = normalize(names)
	servers, err := m.serversFor(ctx, names)
	if err != nil {
		return nil, err
	}
	var out []Server
	for _, n := range names {
		s := servers[n]
		u := s.url
		if n == Postgres {
			if u, err = ensureDatabase(ctx, s.url, manualDatabase); err != nil {
				return nil, fmt.Errorf("postgres (%s): %w", s.via, err)
			}
		}
		_, own := s.handle.(*localProc)
		out = append(out, Server{Service: n, Provider: s.via, URL: u, Detail: s.detail, Persistent: !own})
	}
	return out, nil
}

// EnvLines renders servers as shell export lines.
func EnvLines(servers []Server) []string {
	var out []string
	for _, s := range servers {
		v := RedisURLVar
		if s.Service == Postgres {
			v = DatabaseURLVar
		}
		out = append(out, fmt.Sprintf("export %s=%s", v, shellQuote(s.URL)))
	}
	return out
}

// serversFor returns one running server per name, starting what is missing. It counts a user per
// name; done releases them.
func (m *Manager) serversFor(ctx context.Context, names []string) (map[string]*server, error) {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil, errors.New("services: manager closed")
	}
	for _, n := range names {
		m.users[n]++
	}
	m.mu.Unlock()

	out := map[string]*server{}
	var fails []attemptFailure
	for _, n := range names {
		s, f, err := m.server(ctx, n)
		if err != nil {
			m.done(names)
			return nil, err
		}
		if s == nil {
			fails = append(fails, f...)
			continue
		}
		out[n] = s
	}
	if len(fails) > 0 {
		m.done(names)
		return nil, &UnavailableError{Mode: m.mode, Needed: names, Tried: fails}
	}
	return out, nil
}

// server finds the server for one service, trying providers in order. A nil server with
// failures means no provider could run it; an error means the context ended or a server broke.
func (m *Manager) server(ctx context.Context, name string) (*server, []attemptFailure, error) {
	m.mu.Lock()
	defer m.mu.Unlock() // one start at a time per process: parallel checks share the server
	if l := m.servers[name]; l != nil {
		if err := l.prov.check(ctx, l.srv); err == nil {
			return l.srv, nil, nil
		}
		// The server went away (container removed, process killed): start again.
		m.logf("%s via %s stopped answering; starting it again", name, l.prov.name())
		l.prov.stop(l.srv)
		delete(m.servers, name)
	}
	if m.providers == nil {
		ps, err := providersFor(m.mode, m.opt)
		if err != nil {
			return nil, nil, err
		}
		m.providers = ps
	}
	var fails []attemptFailure
	for _, p := range m.providers {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		t0 := time.Now()
		s, err := p.start(ctx, name)
		if err == nil {
			m.logf("%s: %s (%s) in %v", name, p.name(), s.detail, time.Since(t0).Round(time.Millisecond))
			m.servers[name] = &serverLease{srv: s, prov: p}
			return s, nil, nil
		}
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		var un *unavailable
		if !errors.As(err, &un) {
			// The provider is there but failed to start this service: say so, don't hide it
			// behind the next provider.
			return nil, nil, fmt.Errorf("%s via %s: %w", name, p.name(), err)
		}
		fails = append(fails, attemptFailure{Provider: p.name(), Service: name, Why: un.why, Fix: un.fix})
	}
	return nil, fails, nil
}

// isolateRedis gives one check a Redis no other check reaches, the best way the provider has.
func isolateRedis(ctx context.Context, s *server, ttl time.Duration) (string, func(), error) {
	switch {
	case len(s.pool) > 0:
		return claimRedisServer(ctx, s, ttl)
	case s.spawn != nil:
		return s.spawn(ctx)
	}
	return claimRedis(ctx, s.url, ttl)
}

// forget drops the cached server of a service (it stopped answering).
func (m *Manager) forget(name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if l := m.servers[name]; l != nil {
		l.prov.stop(l.srv)
		delete(m.servers, name)
	}
}

// done forgets one user per name; local servers with no user left are stopped, so a check's
// processes die with it. Docker and external servers are left running.
func (m *Manager) done(names []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, n := range names {
		m.users[n]--
		if m.users[n] > 0 {
			continue
		}
		delete(m.users, n)
		if l := m.servers[n]; l != nil && !l.prov.keeps() {
			l.prov.stop(l.srv)
			delete(m.servers, n)
		}
	}
}

// Close stops every server this process started itself and frees clients. Containers stay for
// reuse. Safe to call more than once.
func (m *Manager) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	for n, l := range m.servers {
		l.prov.stop(l.srv)
		delete(m.servers, n)
	}
	return nil
}

func normalize(names []string) []string {
	var out []string
	for _, n := range names {
		n = strings.ToLower(strings.TrimSpace(n))
		if n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:@=+,%?", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
