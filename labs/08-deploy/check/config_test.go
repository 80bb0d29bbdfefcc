//go:build labcheck

package main

import (
	"fmt"
	"net"
	"sort"
	"strings"
	"testing"
	"time"
)

// labValidEnv is a complete, valid configuration.
func labValidEnv() map[string]string {
	return map[string]string{
		"DATABASE_URL": "postgres://bookshelf:s3cret@db:5432/bookshelf?sslmode=disable",
		"REDIS_URL":    "redis://cache:6379/0",
	}
}

func labEnvText(env map[string]string) string {
	if len(env) == 0 {
		return "    (no variable set)"
	}
	var keys []string
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "    %s=%s\n", k, env[k])
	}
	return strings.TrimRight(b.String(), "\n")
}

// labLoadConfig calls loadConfig with a getenv that reads env, turning a panic into a failure.
func labLoadConfig(t *testing.T, env map[string]string) (cfg Config, err error) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("loadConfig with\n%s\npanicked: %v\n%s", labEnvText(env), p, labStack())
		}
	}()
	return loadConfig(func(k string) string { return env[k] })
}

func TestConfigReadsTheEnvironmentWithDefaults(t *testing.T) {
	// The real environment says something else: loadConfig must read only through getenv.
	t.Setenv("PORT", "1234")
	t.Setenv("SHUTDOWN_TIMEOUT", "1ms")

	env := labValidEnv()
	cfg, err := labLoadConfig(t, env)
	if err != nil {
		t.Fatalf("loadConfig with\n%s\nreturned the error %q, want none: this configuration is complete", labEnvText(env), err)
	}
	want := Config{Port: 8080, DatabaseURL: env["DATABASE_URL"], RedisURL: env["REDIS_URL"], ShutdownDelay: 0, ShutdownTimeout: 10 * time.Second}
	if cfg != want {
		hint := "the defaults are PORT 8080, SHUTDOWN_DELAY 0s and SHUTDOWN_TIMEOUT 10s"
		if cfg.Port == 1234 || cfg.ShutdownTimeout == time.Millisecond {
			hint = "read the variables with the getenv that loadConfig receives, not os.Getenv: that is what makes it testable"
		}
		t.Fatalf("loadConfig with\n%s\ngot  %+v\nwant %+v\nhint: %s", labEnvText(env), cfg, want, hint)
	}

	env["PORT"], env["SHUTDOWN_DELAY"], env["SHUTDOWN_TIMEOUT"] = "9090", "5s", "1m30s"
	cfg, err = labLoadConfig(t, env)
	want = Config{Port: 9090, DatabaseURL: env["DATABASE_URL"], RedisURL: env["REDIS_URL"], ShutdownDelay: 5 * time.Second, ShutdownTimeout: 90 * time.Second}
	if err != nil || cfg != want {
		t.Fatalf("loadConfig with\n%s\ngot  %+v (error: %v)\nwant %+v\nhint: SHUTDOWN_DELAY and SHUTDOWN_TIMEOUT are Go durations: time.ParseDuration", labEnvText(env), cfg, err, want)
	}
}

func TestConfigNamesEveryMissingVariable(t *testing.T) {
	env := map[string]string{}
	_, err := labLoadConfig(t, env)
	if err == nil {
		t.Fatalf("loadConfig with\n%s\nreturned no error, want one naming DATABASE_URL and REDIS_URL, which are required\nhint: a service that starts without its database fails later, on the first request, far from the cause", labEnvText(env))
	}
	var missing []string
	for _, name := range []string{"DATABASE_URL", "REDIS_URL"} {
		if !strings.Contains(err.Error(), name) {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("loadConfig with\n%s\nreturned the error %q, which does not name %s\nhint: check every variable and report every problem at once (errors.Join): the operator then fixes the deploy in one go", labEnvText(env), err, strings.Join(missing, " and "))
	}
}

func TestConfigNamesInvalidValues(t *testing.T) {
	cases := []struct{ name, value, why string }{
		{"PORT", "eighty", "not a number"},
		{"PORT", "70000", "not a port: 1 to 65535"},
		{"SHUTDOWN_TIMEOUT", "soon", "not a duration"},
		{"SHUTDOWN_TIMEOUT", "0s", "a shutdown that may take 0s cannot wait for anything: want more than 0"},
		{"SHUTDOWN_DELAY", "-1s", "negative"},
		{"DATABASE_URL", "mysql://app:hunter2@db/bookshelf", "not a postgres:// URL"},
		{"DATABASE_URL", "app:hunter2@db:5432/bookshelf", "no postgres:// scheme"},
		{"REDIS_URL", "localhost:6379", "no redis:// scheme"},
		{"DATABASE_URL", "postgres:///bookshelf?user=app&password=hunter2", "a postgres:// URL without a host"},
	}
	for _, c := range cases {
		env := labValidEnv()
		env[c.name] = c.value
		_, err := labLoadConfig(t, env)
		switch {
		case err == nil:
			t.Errorf("loadConfig with\n%s\nreturned no error, want one naming %s (%s)", labEnvText(env), c.name, c.why)
		case !strings.Contains(err.Error(), c.name):
			t.Errorf("loadConfig with\n%s\nreturned the error %q, which does not name %s (%s)\nhint: the operator reading the message must know which variable to fix", labEnvText(env), err, c.name, c.why)
		case strings.Contains(err.Error(), "hunter2"):
			t.Errorf("loadConfig with\n%s\nreturned the error %q, which repeats the password hunter2\nhint: error messages end up in logs: name the variable and say what is wrong, never print a URL that may hold a password (url.URL.Redacted() hides it)", labEnvText(env), err)
		}
	}
}

func TestMainExits1WhenTheConfigIsInvalid(t *testing.T) {
	runs := []struct {
		env   map[string]string
		names []string
	}{
		{map[string]string{}, []string{"DATABASE_URL", "REDIS_URL"}},
		{map[string]string{"DATABASE_URL": "mysql://app:hunter2@db/bookshelf", "REDIS_URL": "redis://cache:6379/0"}, []string{"DATABASE_URL"}},
	}
	for _, r := range runs {
		a := labRun(t, r.env)
		// Wait for one of two events: the program exits, or it starts serving (it should not).
		deadline := time.Now().Add(labGuard)
		for !a.exited() {
			if c, err := net.DialTimeout("tcp", a.addr(), time.Second); err == nil {
				c.Close()
				t.Fatalf("started the program with\n%s\nit is serving on port %d, want it to exit with status 1 and a message naming %s on stderr\nhint: in main, when loadConfig returns an error, print it to os.Stderr and os.Exit(1): a container that stops at once with a clear message is a deploy that is fixed in a minute\n%s",
					a.envText(), a.port, strings.Join(r.names, " and "), a.outputText())
			}
			if time.Now().After(deadline) {
				t.Fatalf("started the program with\n%s\nit neither exited nor served within %v, want exit status 1\n%s", a.envText(), labGuard, a.outputText())
			}
			time.Sleep(5 * time.Millisecond)
		}
		<-a.done
		stderr := a.stderr.String()
		if a.exitCode() != 1 {
			t.Fatalf("started the program with\n%s\nit ended (%s), want exit status 1\n%s", a.envText(), a.exitText(), a.outputText())
		}
		if strings.Contains(stderr, "goroutine ") && strings.Contains(stderr, "panic") {
			t.Fatalf("started the program with\n%s\nit panicked, want a plain message and exit status 1\n%s", a.envText(), a.outputText())
		}
		for _, name := range r.names {
			if !strings.Contains(stderr, name) {
				t.Fatalf("started the program with\n%s\nit exited 1 but its stderr does not name %s\nhint: print the error of loadConfig to os.Stderr\n%s", a.envText(), name, a.outputText())
			}
		}
		if out := stderr + a.stdout.String(); strings.Contains(out, "hunter2") {
			t.Fatalf("started the program with\n%s\nits output repeats the password hunter2, want the variable named and the secret kept out of the logs\n%s", a.envText(), a.outputText())
		}
	}
}
