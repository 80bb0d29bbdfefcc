//go:build labcheck

package main

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// loginLimiter counts failures per key in a fixed window, plus the attempts still being
// checked: those count against the limit too, so concurrent guesses cannot overrun it.
type loginLimiter struct {
	limits LoginLimits

	mu      sync.Mutex
	entries map[string]*attempts
}

type attempts struct {
	start    time.Time // of the window of failures
	failures int
	inFlight int
}

func newLoginLimiter(limits LoginLimits) *loginLimiter {
	return &loginLimiter{limits: limits, entries: make(map[string]*attempts)}
}

func (l *loginLimiter) entry(key string, now time.Time) *attempts {
	e := l.entries[key]
	if e == nil {
		e = &attempts{}
		l.entries[key] = e
	}
	if e.failures > 0 && !now.Before(e.start.Add(l.limits.Window)) {
		e.failures = 0 // the window is over
	}
	return e
}

func (l *loginLimiter) tidy(key string) {
	if e := l.entries[key]; e != nil && e.failures == 0 && e.inFlight == 0 {
		delete(l.entries, key)
	}
}

func (l *loginLimiter) allow(username, ip string, now time.Time) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	user, addr := l.entry("user:"+username, now), l.entry("ip:"+ip, now)
	var wait time.Duration
	for _, c := range []struct {
		e     *attempts
		limit int
	}{{user, l.limits.PerAccount}, {addr, l.limits.PerIP}} {
		switch {
		case c.e.failures >= c.limit:
			wait = max(wait, c.e.start.Add(l.limits.Window).Sub(now))
		case c.e.failures+c.e.inFlight >= c.limit:
			wait = max(wait, time.Second) // the attempts in flight may still succeed
		}
	}
	if wait > 0 {
		l.tidy("user:" + username)
		l.tidy("ip:" + ip)
		return wait, false
	}
	user.inFlight++
	addr.inFlight++
	return 0, true
}

func (l *loginLimiter) failed(username, ip string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, key := range []string{"user:" + username, "ip:" + ip} {
		e := l.entry(key, now)
		e.inFlight = max(e.inFlight-1, 0)
		if e.failures == 0 {
			e.start = now
		}
		e.failures++
	}
}

func (l *loginLimiter) succeeded(username, ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e := l.entries["user:"+username]; e != nil {
		e.failures = 0
		e.inFlight = max(e.inFlight-1, 0)
		l.tidy("user:" + username)
	}
	if e := l.entries["ip:"+ip]; e != nil {
		e.inFlight = max(e.inFlight-1, 0)
		l.tidy("ip:" + ip)
	}
}

func tooManyAttempts(w http.ResponseWriter, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	writeError(w, http.StatusTooManyRequests, "too many failed logins: try again later")
}
