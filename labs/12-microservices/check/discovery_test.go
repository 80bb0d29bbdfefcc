//go:build labcheck

package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Task discovery: a registry in Redis, with expiry by an injected clock.

const labTTL = 10 * time.Second

func labNewRegistry(t *testing.T, rdb *redis.Client, clock *labClock) *Registry {
	t.Helper()
	var r *Registry
	labGuard(t, "newRegistry(rdb, 10s, now)", "", func() { r = newRegistry(rdb, labTTL, clock.Now) })
	if r == nil {
		t.Fatal("newRegistry(rdb, 10s, now) returned nil")
	}
	return r
}

func labRegister(t *testing.T, r *Registry, clock *labClock, service, addr string) {
	t.Helper()
	var err error
	labGuard(t, fmt.Sprintf("Register(ctx, %q, %q)", service, addr), "", func() { err = r.Register(labCtx(t), service, addr) })
	if err != nil {
		t.Fatalf("Register(ctx, %q, %q) at %s: %v", service, addr, clock.since(), err)
	}
}

func labDeregister(t *testing.T, r *Registry, service, addr string) {
	t.Helper()
	var err error
	labGuard(t, fmt.Sprintf("Deregister(ctx, %q, %q)", service, addr), "", func() { err = r.Deregister(labCtx(t), service, addr) })
	if err != nil {
		t.Fatalf("Deregister(ctx, %q, %q): %v", service, addr, err)
	}
}

// labWantInstances checks what Instances returns, with the registry's content in the message.
func labWantInstances(t *testing.T, rdb *redis.Client, r *Registry, clock *labClock, service string, want []string, why, hint string) {
	t.Helper()
	var got []string
	var err error
	labGuard(t, fmt.Sprintf("Instances(ctx, %q)", service), "", func() { got, err = r.Instances(labCtx(t), service) })
	if err != nil {
		t.Fatalf("Instances(ctx, %q) at %s: %v", service, clock.since(), err)
	}
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !slices.Equal(got, want) {
		msg := fmt.Sprintf("Instances(ctx, %q) at %s (%s): got %q, want %q\nregistry:%s = %s",
			service, clock.since(), why, got, want, service, labZSet(t, rdb, "registry:"+service))
		if hint != "" {
			msg += "\nhint: " + hint
		}
		t.Fatal(msg)
	}
}

// labZSet shows a sorted set with its scores as times of the fake clock, for messages.
func labZSet(t *testing.T, rdb *redis.Client, key string) string {
	t.Helper()
	zs, err := rdb.ZRangeWithScores(labCtx(t), key, 0, -1).Result()
	if err != nil {
		return fmt.Sprintf("(%v)", err)
	}
	if len(zs) == 0 {
		return "(empty or missing)"
	}
	var parts []string
	for _, z := range zs {
		at := time.UnixMilli(int64(z.Score)).UTC()
		parts = append(parts, fmt.Sprintf("%v expires %.0f (t0+%v)", z.Member, z.Score, at.Sub(labEpoch)))
	}
	return "[" + strings.Join(parts, "; ") + "]"
}

// labScore is the score of addr in registry:{service}, checking the key's type.
func labScore(t *testing.T, rdb *redis.Client, service, addr string) (float64, bool) {
	t.Helper()
	key := "registry:" + service
	typ, err := rdb.Type(labCtx(t), key).Result()
	if err != nil {
		t.Fatalf("Redis TYPE %s: %v", key, err)
	}
	if typ == "none" {
		return 0, false
	}
	if typ != "zset" {
		t.Fatalf("Redis key %s is a %s, want a sorted set (ZADD): members are instance URLs, scores their expiry in Unix milliseconds", key, typ)
	}
	s, err := rdb.ZScore(labCtx(t), key, addr).Result()
	if errors.Is(err, redis.Nil) {
		return 0, false
	}
	if err != nil {
		t.Fatalf("Redis ZSCORE %s %s: %v", key, addr, err)
	}
	return s, true
}

func TestDiscoveryRegisterStoresExpiryInSortedSet(t *testing.T) {
	rdb := labRedis(t)
	clock := newLabClock()
	reg := labNewRegistry(t, rdb, clock)
	const u1, u2, o1 = "http://10.0.0.1:8081", "http://10.0.0.2:8081", "http://10.0.0.3:8082"

	labRegister(t, reg, clock, "users", u2)
	want := float64(clock.Now().Add(labTTL).UnixMilli())
	got, ok := labScore(t, rdb, "users", u2)
	if !ok {
		t.Fatalf("after Register(ctx, \"users\", %q) at t0, Redis has no member %s in registry:users (keys: %s)\n"+
			"hint: TODO(discovery) in registry.go: ZADD registry:users with the URL as the member", u2, u2, labKeys(t, rdb))
	}
	if got != want {
		t.Fatalf("after Register(ctx, \"users\", %q) at t0 with a TTL of 10s: ZSCORE registry:users %s = %.0f, want %.0f (t0+10s in Unix milliseconds)\n"+
			"hint: the score is r.now().Add(r.ttl).UnixMilli(): the injected clock, never time.Now()", u2, u2, got, want)
	}

	clock.advance(time.Second)
	labRegister(t, reg, clock, "users", u1)
	labRegister(t, reg, clock, "orders", o1)
	labWantInstances(t, rdb, reg, clock, "users", []string{u1, u2}, "both registered a moment ago",
		"sort the list (slices.Sort): by score, the order would change with every heartbeat")
	labWantInstances(t, rdb, reg, clock, "orders", []string{o1}, "one registered a moment ago", "one sorted set per service: registry:{service}")
	labWantInstances(t, rdb, reg, clock, "payments", nil, "nothing registered", "")
}

func TestDiscoveryHeartbeatExtendsExpiry(t *testing.T) {
	rdb := labRedis(t)
	clock := newLabClock()
	reg := labNewRegistry(t, rdb, clock)
	const u1 = "http://10.0.0.1:8081"

	labRegister(t, reg, clock, "users", u1)
	clock.advance(6 * time.Second)
	labRegister(t, reg, clock, "users", u1) // the heartbeat
	want := float64(clock.Now().Add(labTTL).UnixMilli())
	got, ok := labScore(t, rdb, "users", u1)
	if !ok {
		t.Fatalf("Register(ctx, \"users\", %q) at t0, then again at t0+6s: Redis has no member %s in registry:users (keys: %s)\n"+
			"hint: TODO(discovery) in registry.go: ZADD registry:users with the URL as the member", u1, u1, labKeys(t, rdb))
	}
	if got != want {
		t.Fatalf("Register(ctx, \"users\", %q) at t0, then again at t0+6s: ZSCORE registry:users %s = %.0f, want %.0f (t0+16s in Unix milliseconds)\n"+
			"hint: Register is also the heartbeat: ZADD replaces the score of a member that exists", u1, u1, got, want)
	}
	if n, _ := rdb.ZCard(labCtx(t), "registry:users").Result(); n != 1 {
		t.Fatalf("after two Register of the same instance, registry:users has %d members, want 1: %s", n, labZSet(t, rdb, "registry:users"))
	}
	clock.advance(8 * time.Second) // t0+14s: past the first expiry, not the renewed one
	labWantInstances(t, rdb, reg, clock, "users", []string{u1}, "renewed at t0+6s, so alive until t0+16s", "")
}

func TestDiscoveryExpiredInstancesDisappear(t *testing.T) {
	rdb := labRedis(t)
	clock := newLabClock()
	reg := labNewRegistry(t, rdb, clock)
	const u1, u2, u3 = "http://10.0.0.1:8081", "http://10.0.0.2:8081", "http://10.0.0.3:8081"

	labRegister(t, reg, clock, "users", u1)
	labRegister(t, reg, clock, "users", u2)
	clock.advance(5 * time.Second)
	labRegister(t, reg, clock, "users", u1) // only u1 keeps beating
	labWantInstances(t, rdb, reg, clock, "users", []string{u1, u2}, "both within their TTL",
		"Instances keeps the members whose score is later than r.now() in Unix milliseconds: ZRANGE ... BYSCORE (now +inf")

	clock.advance(5*time.Second - time.Millisecond)
	labWantInstances(t, rdb, reg, clock, "users", []string{u1, u2}, "1ms before 10.0.0.2 expires", "")
	clock.advance(time.Millisecond)
	labWantInstances(t, rdb, reg, clock, "users", []string{u1}, "10.0.0.2 expires at t0+10s exactly, 10.0.0.1 at t0+15s",
		"at its expiry instant an instance is gone: the minimum of the range excludes now, \"(\" + now in milliseconds. "+
			"If 10.0.0.1 is missing too, or everything is always there, is Instances reading time.Now() instead of r.now()?")

	clock.advance(5 * time.Second)
	labWantInstances(t, rdb, reg, clock, "users", nil, "both expired: t0+15s", "")

	labRegister(t, reg, clock, "users", u3)
	labDeregister(t, reg, "users", u3)
	labWantInstances(t, rdb, reg, clock, "users", nil, "10.0.0.3 registered, then deregistered at once",
		"Deregister removes the member: ZREM registry:users <url>")
}

func TestDiscoveryBalancerFollowsTheRegistry(t *testing.T) {
	rdb := labRedis(t)
	clock := newLabClock()
	reg := labNewRegistry(t, rdb, clock)
	a, b := newLabInstance(t, "a"), newLabInstance(t, "b")
	bal := labNewBalancer(t, reg, clock)

	get := func() (string, error) {
		t.Helper()
		return labTrip(t, bal, "GET", "http://users/users/u1", "")
	}
	labRegister(t, reg, clock, "users", a.url)
	if inst, err := get(); err != nil || inst != "a" {
		t.Fatalf("a registered as users, then GET http://users/users/u1 through a balancer on the registry: got %q, error %v; want the answer of a\nregistry:users = %s",
			inst, err, labZSet(t, rdb, "registry:users"))
	}
	labRegister(t, reg, clock, "users", b.url)
	labDeregister(t, reg, "users", a.url)
	for range 2 {
		if inst, err := get(); err != nil || inst != "b" {
			t.Fatalf("b registered and a deregistered, then GET http://users/users/u1: got %q, error %v; want the answer of b\nregistry:users = %s",
				inst, err, labZSet(t, rdb, "registry:users"))
		}
	}
	clock.advance(labTTL + time.Second)
	if inst, err := get(); !errors.Is(err, errNoInstances) {
		t.Fatalf("11s after b's last heartbeat (TTL 10s), GET http://users/users/u1: got %q, error %v; want an error wrapping errNoInstances\nregistry:users = %s",
			inst, err, labZSet(t, rdb, "registry:users"))
	}
}

// labKeys lists the keys of the test database, for failure messages.
func labKeys(t *testing.T, rdb *redis.Client) string {
	t.Helper()
	keys, err := rdb.Keys(labCtx(t), "*").Result()
	if err != nil {
		return fmt.Sprintf("(%v)", err)
	}
	if len(keys) == 0 {
		return "none"
	}
	slices.Sort(keys)
	if len(keys) > 10 {
		keys = append(keys[:10], "...")
	}
	return strings.Join(keys, ", ")
}
