package main

import (
	"cmp"
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

// loadConfig reads the configuration through getenv (os.Getenv in main, a map in tests).
//
// TODO(config): validate, with defaults, and report every problem at once:
//   - PORT: default 8080; otherwise a number from 1 to 65535.
//   - DATABASE_URL: required, a postgres:// (or postgresql://) URL with a host.
//   - REDIS_URL: required, a redis:// (or rediss://) URL with a host.
//   - SHUTDOWN_DELAY: a Go duration, default 0s, not negative.
//   - SHUTDOWN_TIMEOUT: a Go duration, default 10s, greater than 0.
//
// Each error names its variable; errors.Join them all. Never put a URL's value in an error:
// it may hold a password.
func loadConfig(getenv func(string) string) (Config, error) {
	port, _ := strconv.Atoi(cmp.Or(getenv("PORT"), "8080"))
	delay, _ := time.ParseDuration(getenv("SHUTDOWN_DELAY"))
	timeout, _ := time.ParseDuration(getenv("SHUTDOWN_TIMEOUT"))
	return Config{
		Port:            port,
		DatabaseURL:     getenv("DATABASE_URL"),
		RedisURL:        getenv("REDIS_URL"),
		ShutdownDelay:   delay,
		ShutdownTimeout: timeout,
	}, nil
}
