// Package services runs the Redis and PostgreSQL a lab needs: through testcontainers, local
// binaries, or URLs the learner gives.
package services

import "context"

// Names of the services a lab.toml may list.
const (
	Redis    = "redis"
	Postgres = "postgres"
)

// Acquirer makes services ready for one check. Each call gets isolated state (its own Redis
// database number, a fresh PostgreSQL database); release drops that state. env holds
// REDIS_URL=... and DATABASE_URL=... for the tests and the learner's service.
type Acquirer interface {
	Acquire(ctx context.Context, names []string) (env []string, release func(), err error)
}
