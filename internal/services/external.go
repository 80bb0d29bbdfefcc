package services

import (
	"context"
	"fmt"
	"strings"
)

// externalProvider uses servers the learner or instructor runs: LAB_REDIS_URL and
// LAB_DATABASE_URL. The Redis URL's database number is ignored (checks claim 1..15, manual use
// gets db 0): one server cannot keep a hostile check from SELECTing another number. The
// PostgreSQL user must be allowed to CREATE DATABASE, and CREATE ROLE for a role per check
// (without it checks use that user, isolated from honest neighbours only). Nothing is started
// or stopped.
type externalProvider struct {
	getenv   func(string) string
	explicit bool // LAB_SERVICES=external: a missing URL is the error to report
}

func (p *externalProvider) name() string { return ModeExternal }
func (p *externalProvider) keeps() bool  { return true }
func (p *externalProvider) stop(*server) {}

func externalVar(service string) string {
	if service == Redis {
		return "LAB_REDIS_URL"
	}
	return "LAB_DATABASE_URL"
}

func (p *externalProvider) check(ctx context.Context, s *server) error {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	return ping(ctx, s.service, s.url)
}

func (p *externalProvider) start(ctx context.Context, service string) (*server, error) {
	v := externalVar(service)
	raw := strings.TrimSpace(p.getenv(v))
	if raw == "" {
		example := "redis://localhost:6379"
		if service == Postgres {
			example = "postgres://USER:PASSWORD@localhost:5432/postgres?sslmode=disable"
		}
		return nil, &unavailable{
			why: v + " is not set",
			fix: fmt.Sprintf("point lab at a server you run: `export %s=%s`", v, example),
		}
	}
	u := raw
	if service == Redis {
		u = withDB(raw, 0)
	}
	pctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	if err := ping(pctx, service, u); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// The learner named this server: a wrong URL is an error to show, not a reason to
		// silently use Docker instead.
		return nil, fmt.Errorf("%s=%s does not answer: %w", v, redact(raw), err)
	}
	return &server{service: service, url: u, via: ModeExternal, detail: v}, nil
}

// redact hides a URL's password.
func redact(raw string) string {
	at := strings.LastIndex(raw, "@")
	scheme := strings.Index(raw, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return raw
	}
	userinfo := raw[scheme+3 : at]
	if i := strings.IndexByte(userinfo, ':'); i >= 0 {
		return raw[:scheme+3] + userinfo[:i] + ":***" + raw[at:]
	}
	return raw
}
