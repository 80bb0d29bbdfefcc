package main

import (
	"context"
	"log"
	"time"

	"github.com/redis/go-redis/v9"
)

// Registry is service discovery in Redis. Each service has a sorted set registry:{service}
// whose members are instance base URLs and whose scores are the instants (Unix milliseconds)
// at which they expire. An instance stays registered only as long as it keeps sending
// heartbeats (Register again before its TTL runs out).
type Registry struct {
	rdb *redis.Client
	ttl time.Duration
	now func() time.Time // time.Now in main; a fake clock in the hidden tests
}

// newRegistry builds a Registry. The hidden tests call it, so keep its signature.
func newRegistry(rdb *redis.Client, ttl time.Duration, now func() time.Time) *Registry {
	return &Registry{rdb: rdb, ttl: ttl, now: now}
}

func registryKey(service string) string { return "registry:" + service }

// Register adds addr to service, or renews it: it expires ttl from now.
func (r *Registry) Register(ctx context.Context, service, addr string) error {
	// TODO(discovery): addr is live until one TTL from now (Unix milliseconds, in the sorted
	// set registry:{service}). Registering again is the heartbeat: one member per instance.
	return nil
}

// Deregister removes addr from service at once (a clean shutdown).
func (r *Registry) Deregister(ctx context.Context, service, addr string) error {
	// TODO(discovery): the instance is gone at once, not when its TTL runs out.
	return nil
}

// Instances lists the live instances of service, sorted: those whose expiry is later than now.
func (r *Registry) Instances(ctx context.Context, service string) ([]string, error) {
	// TODO(discovery): the instances whose expiry is later than now (at the instant itself,
	// gone), sorted by address. The time is r.now(), never the wall clock.
	return nil, nil
}

// Heartbeat registers addr now and again every ttl/3 until ctx ends, then deregisters it.
func (r *Registry) Heartbeat(ctx context.Context, service, addr string) {
	tick := time.NewTicker(r.ttl / 3)
	defer tick.Stop()
	for {
		if err := r.Register(ctx, service, addr); err != nil && ctx.Err() == nil {
			log.Printf("registry: heartbeat %s %s: %v", service, addr, err)
		}
		select {
		case <-ctx.Done():
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
			defer cancel()
			_ = r.Deregister(ctx, service, addr)
			return
		case <-tick.C:
		}
	}
}
