//go:build labcheck

package main

import (
	"fmt"
	"math"
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// rateLimiter keeps, per client, how many tokens it had at its last request.
type rateLimiter struct {
	mu      sync.Mutex
	perSec  float64
	burst   float64
	idleTTL time.Duration
	now     func() time.Time
	clients map[string]*tokens
	swept   time.Time
}

type tokens struct {
	n    float64
	seen time.Time
}

func newRateLimiter(limit rate.Limit, burst int, idleTTL time.Duration, now func() time.Time) *rateLimiter {
	if now == nil {
		now = time.Now
	}
	return &rateLimiter{perSec: float64(limit), burst: float64(burst), idleTTL: idleTTL, now: now,
		clients: make(map[string]*tokens), swept: now()}
}

func (l *rateLimiter) allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Sub(l.swept) >= l.idleTTL {
		for k, c := range l.clients {
			if now.Sub(c.seen) >= l.idleTTL {
				delete(l.clients, k)
			}
		}
		l.swept = now
	}
	c, ok := l.clients[key]
	if !ok {
		c = &tokens{n: l.burst, seen: now}
		l.clients[key] = c
	}
	c.n = math.Min(l.burst, c.n+now.Sub(c.seen).Seconds()*l.perSec)
	c.seen = now
	if c.n >= 1 {
		c.n--
		return true, 0
	}
	if l.perSec <= 0 {
		return false, l.idleTTL
	}
	return false, time.Duration((1 - c.n) / l.perSec * float64(time.Second))
}

func (l *rateLimiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.clients)
}

func rateLimit(l *rateLimiter) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			host, _, err := net.SplitHostPort(r.RemoteAddr)
			if err != nil {
				host = r.RemoteAddr
			}
			if ok, wait := l.allow(host); !ok {
				secs := int64(wait / time.Second)
				if wait%time.Second != 0 || secs == 0 {
					secs++
				}
				w.Header().Set("Retry-After", fmt.Sprint(secs))
				writeError(w, http.StatusTooManyRequests, "too many requests: slow down")
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
