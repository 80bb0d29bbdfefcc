//go:build labcheck

package main

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

const adaLogin = `{"username":"ada","password":"lovelace"}`

// login signs ada in and returns the session cookie, checking the response and Redis.
func login(t *testing.T, h http.Handler, rdb *redis.Client) *http.Cookie {
	t.Helper()
	q := request{method: "POST", target: "/login", body: adaLogin}
	res := do(t, h, q)
	if res.code != http.StatusOK {
		t.Fatalf("%s: got status %s, want 200 {\"username\":\"ada\"}", q, res)
	}
	var who struct{ Username string }
	if err := json.Unmarshal(res.body, &who); err != nil || who.Username != "ada" {
		t.Fatalf("%s: got body %s, want {\"username\":\"ada\"}", q, res.body)
	}
	c := res.cookie("session")
	if c == nil {
		t.Fatalf("%s: got Set-Cookie %q, want a cookie named session holding the session id", q, res.header.Values("Set-Cookie"))
	}
	switch {
	case !c.HttpOnly:
		t.Fatalf("%s: the session cookie is not HttpOnly (%s): any script on the page could read it; set HttpOnly: true", q, c)
	case !c.Secure:
		t.Fatalf("%s: the session cookie is not Secure (%s): the browser would send it over plain HTTP too, where anyone on the network can read it; set Secure: true (browsers still send it to http://localhost)", q, c)
	case c.SameSite != http.SameSiteLaxMode:
		t.Fatalf("%s: got the session cookie %s, want SameSite=Lax on it: other sites' forms and scripts then cannot make the browser send it along (CSRF), while links to this site still work", q, c)
	case c.Path != "/":
		t.Fatalf("%s: the session cookie has Path %q, want \"/\" so every route gets it", q, c.Path)
	case len(c.Value) < 22:
		t.Fatalf("%s: session id %q is too short to be unguessable: use at least 16 random bytes (newSessionID gives 32)", q, c.Value)
	}
	val, ttl, ok := cached(t, rdb, "session:"+c.Value)
	if !ok {
		t.Fatalf("%s: Redis has no key session:%s for the cookie's id (keys: %s)", q, abbrev(c.Value), keys(t, rdb))
	}
	var sess struct{ Username string }
	if err := json.Unmarshal([]byte(val), &sess); err != nil || sess.Username != "ada" {
		t.Fatalf("%s: Redis key session:%s holds %q, want {\"username\":\"ada\"}", q, abbrev(c.Value), val)
	}
	wantSessionTTL(t, q.String(), c, ttl)
	return c
}

func wantSessionTTL(t *testing.T, after string, c *http.Cookie, ttl time.Duration) {
	t.Helper()
	switch {
	case ttl < 0:
		t.Fatalf("after %s, session:%s has no expiry: give it a 30-minute TTL", after, abbrev(c.Value))
	case ttl < 25*time.Minute || ttl > 30*time.Minute:
		t.Fatalf("after %s, session:%s has TTL %v, want 30 minutes", after, abbrev(c.Value), ttl)
	}
}

func TestSessionLoginCreatesSession(t *testing.T) {
	rdb := newRedis(t)
	h := newHandler(t, rdb, newFakeStore(keyboard))

	first := login(t, h, rdb)
	second := login(t, h, rdb)
	if first.Value == second.Value {
		t.Fatalf("two POST /login gave the same session id %s: create a new random id on every login", abbrev(first.Value))
	}

	q := request{method: "POST", target: "/login", body: `{"username":"ada","password":"wrong"}`}
	res := do(t, h, q)
	if res.code != http.StatusUnauthorized {
		t.Fatalf("%s: got status %s, want 401", q, res)
	}
	if c := res.cookie("session"); c != nil && c.Value != "" {
		t.Fatalf("%s: got 401 but also a session cookie %s", q, abbrev(c.Value))
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if all, err := rdb.Keys(ctx, "session:*").Result(); err == nil && len(all) != 2 {
		t.Fatalf("after two logins and one wrong password, Redis holds %d session:* keys, want 2", len(all))
	}
}

func TestSessionRequestsSlideTheTTL(t *testing.T) {
	rdb := newRedis(t)
	h := newHandler(t, rdb, newFakeStore(keyboard))
	c := login(t, h, rdb)

	// Pretend the session has been idle for 29 minutes.
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if err := rdb.Expire(ctx, "session:"+c.Value, time.Minute).Err(); err != nil {
		t.Fatalf("Redis EXPIRE: %v", err)
	}
	q := get("/me").withCookie(c)
	res := do(t, h, q)
	if res.code != http.StatusOK {
		t.Fatalf("%s with a live session: got status %s, want 200 {\"username\":\"ada\"}", q, res)
	}
	var who struct{ Username string }
	if err := json.Unmarshal(res.body, &who); err != nil || who.Username != "ada" {
		t.Fatalf("%s: got body %s, want {\"username\":\"ada\"}", q, res.body)
	}
	_, ttl, ok := cached(t, rdb, "session:"+c.Value)
	if !ok {
		t.Fatalf("%s: the session key disappeared from Redis", q)
	}
	if ttl <= time.Minute {
		t.Fatalf("%s when the session had 1 minute left: its TTL is now %v, want it pushed back to 30 minutes (sliding expiration: GETEX key EX 1800, or EXPIRE on every authenticated request)", q, ttl)
	}
	wantSessionTTL(t, q.String(), c, ttl)

	for _, q := range []request{get("/me"), get("/me").withCookie(&http.Cookie{Name: "session", Value: "no-such-session-id-0000000"})} {
		if res := do(t, h, q); res.code != http.StatusUnauthorized {
			t.Fatalf("%s: got status %s, want 401", q, res)
		}
	}
}

func TestSessionLogoutDeletesSession(t *testing.T) {
	rdb := newRedis(t)
	h := newHandler(t, rdb, newFakeStore(keyboard))
	c := login(t, h, rdb)

	q := request{method: "POST", target: "/logout"}.withCookie(c)
	res := do(t, h, q)
	if res.code != http.StatusNoContent {
		t.Fatalf("%s: got status %s, want 204", q, res)
	}
	if _, _, ok := cached(t, rdb, "session:"+c.Value); ok {
		t.Fatalf("%s: Redis still has session:%s; delete it (DEL) so the id stops working everywhere at once", q, abbrev(c.Value))
	}
	if cleared := res.cookie("session"); cleared == nil || cleared.MaxAge >= 0 {
		t.Fatalf("%s: got Set-Cookie %q, want the session cookie cleared (same name and Path \"/\", MaxAge: -1, which sends Max-Age=0)", q, res.header.Values("Set-Cookie"))
	}
	q = get("/me").withCookie(c)
	if res := do(t, h, q); res.code != http.StatusUnauthorized {
		t.Fatalf("%s after logout: got status %s, want 401", q, res)
	}
}
