//go:build labcheck

package main

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// Config is everything that changes between deploys (a laptop, CI, staging, production). It
// comes from the environment only: the same image runs everywhere.
type Config struct {
	Port            int           // PORT: where to listen (default 8080)
	DatabaseURL     string        // DATABASE_URL: postgres://user:password@host:5432/db (required)
	RedisURL        string        // REDIS_URL: redis://host:6379/0 (required)
	ShutdownDelay   time.Duration // SHUTDOWN_DELAY: how long to keep serving once not ready (default 0s)
	ShutdownTimeout time.Duration // SHUTDOWN_TIMEOUT: how long in-flight requests may take to finish (default 10s)
}

// loadConfig reads the configuration through getenv (os.Getenv in main, a map in tests). It
// reports every missing or invalid variable at once, by name, and never repeats a secret.
func loadConfig(getenv func(string) string) (Config, error) {
	cfg := Config{Port: 8080, ShutdownDelay: 0, ShutdownTimeout: 10 * time.Second}
	var errs []error

	if v := getenv("PORT"); v != "" {
		port, err := strconv.Atoi(v)
		if err != nil || port < 1 || port > 65535 {
			errs = append(errs, fmt.Errorf("PORT=%q: want a port number from 1 to 65535", v))
		} else {
			cfg.Port = port
		}
	}

	var err error
	if cfg.DatabaseURL, err = serviceURL(getenv, "DATABASE_URL", "postgres", "postgresql"); err != nil {
		errs = append(errs, err)
	}
	if cfg.RedisURL, err = serviceURL(getenv, "REDIS_URL", "redis", "rediss"); err != nil {
		errs = append(errs, err)
	}

	if cfg.ShutdownDelay, err = duration(getenv, "SHUTDOWN_DELAY", cfg.ShutdownDelay, false); err != nil {
		errs = append(errs, err)
	}
	if cfg.ShutdownTimeout, err = duration(getenv, "SHUTDOWN_TIMEOUT", cfg.ShutdownTimeout, false); err != nil {
		errs = append(errs, err)
	}
	return cfg, errors.Join(errs...)
}

// serviceURL reads a required URL with one of the given schemes. Its errors never include the
// value itself: a database URL holds a password, and error messages end up in logs.
func serviceURL(getenv func(string) string, name string, schemes ...string) (string, error) {
	v := getenv(name)
	if v == "" {
		return "", fmt.Errorf("%s is required (like %s://host/...)", name, schemes[0])
	}
	u, err := url.Parse(v)
	if err != nil || !slices.Contains(schemes, u.Scheme) || u.Host == "" {
		return "", fmt.Errorf("%s is not a %s:// URL with a host", name, schemes[0])
	}
	return v, nil
}

// duration reads an optional Go duration ("500ms", "30s"). positive says whether 0 is refused.
func duration(getenv func(string) string, name string, def time.Duration, positive bool) (time.Duration, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	switch {
	case err != nil:
		return def, fmt.Errorf("%s=%q: want a duration like 500ms or 30s", name, v)
	case d < 0, positive && d == 0:
		return def, fmt.Errorf("%s=%q: want a duration greater than 0", name, v)
	}
	return d, nil
}
