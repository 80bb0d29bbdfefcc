//go:build labcheck

package main

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/template"
	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v3"
)

type labCompose struct {
	src     []byte
	doc     *yaml.Node
	proj    *types.Project
	dir     string
	app     string // service names, "" when missing
	pg      string
	redis   string
	missing []string // variables the file requires (${X:?...}) that the test filled in
}

// labLoadCompose loads ./compose.yaml with compose-go, the library of `docker compose`, the
// way `docker compose config` would: with a fixed project name, an empty environment (nothing
// from the shell, no .env file) and no network access.
func labLoadCompose(t *testing.T) *labCompose {
	t.Helper()
	c := &labCompose{src: labReadFile(t, "compose.yaml", "the Compose file of the whole stack (app, PostgreSQL, Redis) goes at the root of the lab folder")}
	docs, err := labYAMLDocs(c.src)
	if err != nil || len(docs) == 0 {
		t.Fatalf("compose.yaml: not valid YAML: %v", err)
	}
	c.doc = docs[0]
	c.dir, _ = os.Getwd()

	env := map[string]string{}
	for attempt := 0; ; attempt++ {
		var list []string
		for k, v := range env {
			list = append(list, k+"="+v)
		}
		opts, err := cli.NewProjectOptions([]string{filepath.Join(c.dir, "compose.yaml")},
			cli.WithName("lab08"), cli.WithWorkingDirectory(c.dir), cli.WithEnv(list))
		if err != nil {
			t.Fatalf("setting up: %v", err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), labGuard)
		c.proj, err = opts.LoadProject(ctx)
		cancel()
		var req *template.MissingRequiredError
		if errors.As(err, &req) && attempt < 20 && env[req.Variable] == "" {
			// ${X:?message}: fine in a Compose file; the test fills in a placeholder.
			env[req.Variable] = "lab-placeholder"
			c.missing = append(c.missing, req.Variable)
			continue
		}
		if err != nil {
			t.Fatalf("%s: compose-go (what `docker compose` uses) rejects it:\n    %v\nhint: `docker compose config` shows the same error; the names of keys are in the Compose specification (compose-spec.io)", c.errAt(err), err)
		}
		break
	}
	for _, name := range c.proj.ServiceNames() {
		s := c.proj.Services[name]
		img := labImageName(strings.ToLower(s.Image))
		last := img[strings.LastIndex(img, "/")+1:]
		switch {
		case s.Build != nil && c.app == "":
			c.app = name
		case strings.HasPrefix(last, "postgres") && c.pg == "":
			c.pg = name
		case (strings.HasPrefix(last, "redis") || strings.HasPrefix(last, "valkey")) && c.redis == "":
			c.redis = name
		}
	}
	return c
}

// labComposeErrPath finds the place a validation error is about: "services.redis additional
// properties 'imag' not allowed", "services.app.ports.0 must be a ...".
var labComposeErrPath = regexp.MustCompile(`(?:^|\s)((?:services|volumes|networks|secrets|configs)(?:\.[\w.-]+)?)(?: additional properties '([^']+)')?`)

// errAt is the line of compose.yaml that a loading error is about, as far as it says.
func (c *labCompose) errAt(err error) string {
	m := labComposeErrPath.FindStringSubmatch(err.Error())
	if m == nil {
		if top := regexp.MustCompile(`additional properties '([^']+)'`).FindStringSubmatch(err.Error()); top != nil {
			return c.at(top[1]) // a top-level key
		}
		return "compose.yaml"
	}
	path := strings.Split(m[1], ".")
	if m[2] != "" {
		path = append(path, m[2])
	}
	return c.at(path...)
}

// at is "compose.yaml:12: `key: value`" for the deepest key of path in the file.
func (c *labCompose) at(path ...string) string {
	line, _ := labYAMLLine(c.doc, path...)
	return labWhere("compose.yaml", c.src, line)
}

// need stops the test unless the app, postgres and redis services exist.
func (c *labCompose) need(t *testing.T) (app, pg, redis types.ServiceConfig) {
	t.Helper()
	var missing []string
	if c.app == "" {
		missing = append(missing, "the app, built from this folder's Dockerfile (build: .)")
	}
	if c.pg == "" {
		missing = append(missing, "PostgreSQL (image: postgres:17-alpine)")
	}
	if c.redis == "" {
		missing = append(missing, "Redis (image: redis:7-alpine)")
	}
	if len(missing) > 0 {
		t.Fatalf("%s: the services are %q; want three, and these are missing: %s", c.at("services"), c.proj.ServiceNames(), strings.Join(missing, "; "))
	}
	return c.proj.Services[c.app], c.proj.Services[c.pg], c.proj.Services[c.redis]
}

func TestComposeDefinesAppPostgresAndRedis(t *testing.T) {
	c := labLoadCompose(t)
	app, pg, _ := c.need(t)
	// The postgres image refuses to initialise a database without a superuser password
	// ("Database is uninitialized and superuser password is not specified") and exits.
	set := func(k string) bool { v, ok := pg.Environment[k]; return ok && v != nil && *v != "" }
	if !set("POSTGRES_PASSWORD") && !set("POSTGRES_PASSWORD_FILE") && !(set("POSTGRES_HOST_AUTH_METHOD") && *pg.Environment["POSTGRES_HOST_AUTH_METHOD"] == "trust") {
		t.Fatalf("%s: service %s sets no POSTGRES_PASSWORD, so the postgres image refuses to start (\"superuser password is not specified\") and the app never becomes ready, want environment: {POSTGRES_USER: bookshelf, POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-bookshelf}, POSTGRES_DB: bookshelf}\nhint: the app's DATABASE_URL then uses the same variable for its password", c.at("services", c.pg), c.pg)
	}
	if ctx := filepath.Clean(app.Build.Context); ctx != filepath.Clean(c.dir) {
		t.Fatalf("%s: the app builds from %s, want this folder (build: .), where the Dockerfile is", c.at("services", c.app, "build"), app.Build.Context)
	}
	published := false
	for _, p := range app.Ports {
		if p.Target == 8080 && p.Published != "" {
			published = true
		}
	}
	if !published {
		t.Fatalf("%s: the app publishes no port for its 8080, want ports: [\"8080:8080\"] so that curl localhost:8080 reaches it", c.at("services", c.app, "ports"))
	}
}

func TestComposeStartsTheAppOnceDependenciesAreHealthy(t *testing.T) {
	c := labLoadCompose(t)
	app, pg, redis := c.need(t)
	for _, dep := range []struct {
		name, test string
		s          types.ServiceConfig
	}{{c.pg, `["CMD", "pg_isready", "-U", "bookshelf"]`, pg}, {c.redis, `["CMD", "redis-cli", "ping"]`, redis}} {
		hc := dep.s.HealthCheck
		if hc == nil || hc.Disable || len(hc.Test) == 0 || hc.Test[0] == "NONE" {
			t.Fatalf("%s: service %s has no healthcheck, want one like\n    healthcheck:\n      test: %s\n      interval: 2s\n      retries: 15\nhint: a started container is not a ready database: PostgreSQL needs a few seconds before it accepts connections", c.at("services", dep.name, "healthcheck"), dep.name, dep.test)
		}
		d, ok := app.DependsOn[dep.name]
		if !ok {
			t.Fatalf("%s: the app does not depend on %s, want depends_on: {%s: {condition: service_healthy}}", c.at("services", c.app, "depends_on"), dep.name, dep.name)
		}
		if d.Condition != types.ServiceConditionHealthy {
			t.Fatalf("%s: the app waits for %s with condition %q, want service_healthy\nhint: service_started (what the short form `depends_on: [%s]` means) only waits for the container to start, not for the server in it to accept connections", c.at("services", c.app, "depends_on", dep.name), dep.name, d.Condition, dep.name)
		}
	}
}

func TestComposeKeepsPostgresDataInANamedVolume(t *testing.T) {
	c := labLoadCompose(t)
	_, pg, _ := c.need(t)
	targets := []string{"/var/lib/postgresql/data", "/var/lib/postgresql"}
	for _, v := range pg.Volumes {
		if !slices.Contains(targets, strings.TrimSuffix(v.Target, "/")) {
			continue
		}
		if v.Type != types.VolumeTypeVolume || v.Source == "" {
			t.Fatalf("%s: PostgreSQL's data is a %s mount of %q, want a named volume (pgdata:%s, and pgdata declared under the top-level volumes:)\nhint: a named volume is managed by Docker: no file permission trouble with the postgres user, and `docker compose down` keeps it (down -v removes it)", c.at("services", c.pg, "volumes"), v.Type, v.Source, v.Target)
		}
		if _, ok := c.proj.Volumes[v.Source]; !ok {
			t.Fatalf("%s: volume %q is not declared under the top-level volumes:", c.at("volumes"), v.Source)
		}
		return
	}
	t.Fatalf("%s: nothing is mounted at /var/lib/postgresql/data in service %s, so its data is lost with the container, want a named volume there: volumes: [\"pgdata:/var/lib/postgresql/data\"] and a top-level volumes: {pgdata: {}}", c.at("services", c.pg, "volumes"), c.pg)
}

func TestComposeConfiguresTheAppFromTheEnvironment(t *testing.T) {
	c := labLoadCompose(t)
	app, pg, _ := c.need(t)
	envAt := c.at("services", c.app, "environment")
	get := func(name string) *url.URL {
		t.Helper()
		v, ok := app.Environment[name]
		if !ok || v == nil || *v == "" {
			t.Fatalf("%s: the app gets no %s, want it in its environment: the same image then runs against any database, and the program stops with a clear message when it is missing", envAt, name)
		}
		u, err := url.Parse(*v)
		if err != nil {
			t.Fatalf("%s: %s is not a URL: %v", c.at("services", c.app, "environment", name), name, err)
		}
		return u
	}
	db := get("DATABASE_URL")
	if (db.Scheme != "postgres" && db.Scheme != "postgresql") || db.Hostname() != c.pg {
		t.Fatalf("%s: DATABASE_URL has scheme %q and host %q, want postgres://...@%s:5432/...: inside the Compose network, a service's name is its host name (localhost is the app's own container)", c.at("services", c.app, "environment", "DATABASE_URL"), db.Scheme, db.Hostname(), c.pg)
	}
	if want, ok := pg.Environment["POSTGRES_PASSWORD"]; ok && want != nil {
		if got, _ := db.User.Password(); got != *want {
			t.Fatalf("%s: the password in DATABASE_URL is not the POSTGRES_PASSWORD of service %s: the app could not log in\nhint: use the same variable in both, like ${POSTGRES_PASSWORD:-bookshelf}", c.at("services", c.app, "environment", "DATABASE_URL"), c.pg)
		}
	}
	rdb := get("REDIS_URL")
	if (rdb.Scheme != "redis" && rdb.Scheme != "rediss") || rdb.Hostname() != c.redis {
		t.Fatalf("%s: REDIS_URL has scheme %q and host %q, want redis://%s:6379/0", c.at("services", c.app, "environment", "REDIS_URL"), rdb.Scheme, rdb.Hostname(), c.redis)
	}
}
