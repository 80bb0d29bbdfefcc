package services

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
)

var osGetenv = os.Getenv

// server is a running Redis or PostgreSQL with an admin URL: Redis db 0, or PostgreSQL's
// "postgres" database as a superuser that may CREATE DATABASE and CREATE ROLE.
type server struct {
	service string
	url     string
	via     string // provider name
	detail  string // container name, data dir, or "LAB_REDIS_URL"
	handle  any    // the provider's own state (process, container)
	// How a check gets a Redis of its own: pool (Docker: host:port of the per-check servers,
	// reset as user "lab" with secret), spawn (local binaries: a redis-server per check), or
	// neither (external: a database number on the one server).
	pool   []string
	secret string
	spawn  func(ctx context.Context) (url string, release func(), err error)
}

// provider runs servers one way. start returns *unavailable (wrapped or not) when this way
// cannot work on this machine, so auto mode moves on; any other error is a real failure.
type provider interface {
	name() string
	start(ctx context.Context, service string) (*server, error)
	// check answers quickly whether a server handed out before still answers.
	check(ctx context.Context, s *server) error
	// stop ends a server this process started; a no-op for containers kept for reuse.
	stop(s *server)
	// keeps reports whether servers outlive their last user (containers, external URLs).
	keeps() bool
}

// unavailable says why a provider cannot run a service here and what would fix it.
type unavailable struct {
	why string
	fix string
}

func (u *unavailable) Error() string { return u.why }

type attemptFailure struct {
	Provider string // docker, local, external
	Service  string
	Why      string
	Fix      string
}

// UnavailableError lists every way that was tried, why each failed, and what to do.
type UnavailableError struct {
	Mode   string
	Needed []string
	Tried  []attemptFailure
}

func (e *UnavailableError) Unwrap() error { return ErrUnavailable }

func (e *UnavailableError) Error() string {
	var b strings.Builder
	if e.Mode == ModeAuto {
		fmt.Fprintf(&b, "this lab needs %s, and no way to run it worked here:\n", strings.Join(e.Needed, " and "))
	} else {
		fmt.Fprintf(&b, "this lab needs %s, and LAB_SERVICES=%s cannot provide it:\n", strings.Join(e.Needed, " and "), e.Mode)
	}
	tried := slices.Clone(e.Tried)
	rank := map[string]int{ModeDocker: 0, ModeLocal: 1, ModeExternal: 2}
	slices.SortStableFunc(tried, func(a, b attemptFailure) int { return rank[a.Provider] - rank[b.Provider] })
	// One line for the external URLs, whichever services are missing.
	var exports []string
	for _, t := range tried {
		if t.Provider == ModeExternal && strings.HasPrefix(t.Fix, "point lab at") {
			exports = append(exports, strings.TrimSuffix(strings.SplitN(t.Fix, "`export ", 2)[1], "`"))
		}
	}
	var fixes []string
	seen := map[string]bool{}
	for _, t := range tried {
		if t.Provider == ModeExternal && len(exports) > 0 && strings.HasPrefix(t.Fix, "point lab at") {
			t.Fix = "point lab at servers you run: `export " + strings.Join(exports, " ") + "`"
		}
		line := fmt.Sprintf("  - %s %s: %s", t.Provider, t.Service, t.Why)
		if !seen[line] {
			seen[line] = true
			b.WriteString(line + "\n")
		}
		if t.Fix != "" && !seen["fix:"+t.Fix] {
			seen["fix:"+t.Fix] = true
			fixes = append(fixes, t.Fix)
		}
	}
	if len(fixes) > 0 {
		if len(fixes) > 1 {
			b.WriteString("Do one of these:\n")
		} else {
			b.WriteString("To fix it:\n")
		}
		for _, f := range fixes {
			b.WriteString("  * " + f + "\n")
		}
	}
	if e.Mode == ModeAuto {
		b.WriteString("(LAB_SERVICES=docker|local|external picks one way; `lab services status` shows what runs.)")
	} else {
		b.WriteString("(LAB_SERVICES=auto tries Docker, then local binaries; unset it to go back to that.)")
	}
	return b.String()
}

// providersFor returns the providers a mode tries, in order. In auto mode external URLs come
// first, but only for the services whose LAB_*_URL is set (see externalProvider).
func providersFor(mode string, opt Options) ([]provider, error) {
	ext := &externalProvider{getenv: opt.Getenv, explicit: mode == ModeExternal}
	dock := newDockerProvider(opt)
	loc := newLocalProvider(opt)
	switch mode {
	case ModeAuto:
		return []provider{ext, dock, loc}, nil
	case ModeDocker:
		return []provider{dock}, nil
	case ModeLocal:
		return []provider{loc}, nil
	case ModeExternal:
		return []provider{ext}, nil
	}
	return nil, fmt.Errorf("LAB_SERVICES=%q: want auto, docker, local or external", mode)
}
