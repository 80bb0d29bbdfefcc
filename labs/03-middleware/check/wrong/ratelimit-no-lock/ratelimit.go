//go:build labcheck

package main

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// rateLimiter keeps one token bucket (a *rate.Limiter) per client.
type rateLimiter struct {
	mu        sync.Mutex
	limit     rate.Limit       // tokens added per second
	burst     int              // bucket size
	idleTTL   time.Duration    // buckets unused for this long are dropped
	now       func() time.Time // the only clock the limiter may read
	buckets   map[string]*bucket
	lastSweep time.Time
}

// bucket is one client's limiter and when that client was last seen.
type bucket struct {
	lim      *rate.Limiter
	lastSeen time.Time
}

// newRateLimiter returns a limiter that allows each client burst requests at once and limit
// requests per second after that. now is the clock (the tests pass a fake one).
func newRateLimiter(limit rate.Limit, burst int, idleTTL time.Duration, now func() time.Time) *rateLimiter {
	if now == nil {
		now = time.Now
	}
	return &rateLimiter{
		limit:     limit,
		burst:     burst,
		idleTTL:   idleTTL,
		now:       now,
		buckets:   map[string]*bucket{},
		lastSweep: now(),
	}
}

// allow takes one token from key's bucket. When the bucket is empty it returns false and how
// long until the next token arrives.
func (l *rateLimiter) allow(key string) (ok bool, retryAfter time.Duration) {
	now := l.now()

	// Sweeping costs a walk over every bucket, so do it at most once per idleTTL: memory
	// stays bounded by the clients seen in the last two TTLs.
	if now.Sub(l.lastSweep) >= l.idleTTL {
		for k, b := range l.buckets {
			if now.Sub(b.lastSeen) >= l.idleTTL {
				delete(l.buckets, k)
			}
		}
		l.lastSweep = now
	}

	b, found := l.buckets[key]
	if !found {
		b = &bucket{lim: rate.NewLimiter(l.limit, l.burst)}
		l.buckets[key] = b
	}
	b.lastSeen = now

	if b.lim.AllowN(now, 1) {
		return true, 0
	}
	if l.limit <= 0 {
		return false, l.idleTTL // no refill: come back when the bucket is forgotten
	}
	missing := 1 - b.lim.TokensAt(now)
	return false, time.Duration(missing / float64(l.limit) * float64(time.Second))
}

// size returns how many client buckets the limiter holds.
func (l *rateLimiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// rateLimit answers 429 Too Many Requests, with a Retry-After header (whole seconds, rounded
// up, at least 1) and a JSON error body, when the client's bucket is empty.
func rateLimit(l *rateLimiter) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ok, wait := l.allow(clientIP(r))
			if !ok {
				secs := max(1, int(math.Ceil(wait.Seconds())))
				w.Header().Set("Retry-After", strconv.Itoa(secs))
				writeError(w, http.StatusTooManyRequests, "rate limit exceeded")
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// clientIP is the client's address without the port. It deliberately ignores
// X-Forwarded-For: any client can send that header, so trusting it lets anyone pick their
// own bucket. Behind a proxy you trust, read the address the proxy appends instead.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
