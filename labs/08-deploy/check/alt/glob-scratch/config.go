//go:build labcheck

package main

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// Config is everything that changes between deploys; it comes from the environment only.
type Config struct {
	Port            int
	DatabaseURL     string
	RedisURL        string
	ShutdownDelay   time.Duration
	ShutdownTimeout time.Duration
}

// loadConfig walks a table of variables, each with its own parser, and joins every problem.
func loadConfig(getenv func(string) string) (Config, error) {
	cfg := Config{Port: 8080, ShutdownTimeout: 10 * time.Second}
	vars := []struct {
		name     string
		required bool
		parse    func(v string) error
	}{
		{"PORT", false, func(v string) error {
			n, err := strconv.ParseUint(v, 10, 16)
			if err != nil || n == 0 {
				return errors.New("want a port from 1 to 65535")
			}
			cfg.Port = int(n)
			return nil
		}},
		{"DATABASE_URL", true, urlParser(&cfg.DatabaseURL, "postgres", "postgresql")},
		{"REDIS_URL", true, urlParser(&cfg.RedisURL, "redis", "rediss")},
		{"SHUTDOWN_DELAY", false, durationParser(&cfg.ShutdownDelay, 0)},
		{"SHUTDOWN_TIMEOUT", false, durationParser(&cfg.ShutdownTimeout, time.Nanosecond)},
	}
	var errs []error
	for _, v := range vars {
		raw := getenv(v.name)
		switch {
		case raw == "" && v.required:
			errs = append(errs, fmt.Errorf("%s: missing", v.name))
		case raw == "":
		default:
			if err := v.parse(raw); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", v.name, err))
			}
		}
	}
	return cfg, errors.Join(errs...)
}

// urlParser's error never includes the value: it may hold a password.
func urlParser(dst *string, schemes ...string) func(string) error {
	return func(v string) error {
		u, err := url.Parse(v)
		if err == nil && u.Host != "" {
			for _, s := range schemes {
				if u.Scheme == s {
					*dst = v
					return nil
				}
			}
		}
		return fmt.Errorf("want a %s:// URL with a host (value hidden)", schemes[0])
	}
}

func durationParser(dst *time.Duration, least time.Duration) func(string) error {
	return func(v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < least {
			return fmt.Errorf("%q: want a duration of at least %v", v, least)
		}
		*dst = d
		return nil
	}
}
