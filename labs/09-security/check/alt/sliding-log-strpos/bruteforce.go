//go:build labcheck

package main

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// loginLimiter keeps, per key, the times of its recent failures (a sliding log). An attempt
// is logged when allow lets it through; a success takes it back.
type loginLimiter struct {
	limits LoginLimits

	mu  sync.Mutex
	log map[string][]time.Time // oldest first
}

func newLoginLimiter(limits LoginLimits) *loginLimiter {
	return &loginLimiter{limits: limits, log: make(map[string][]time.Time)}
}

// recent drops the entries of key older than the window and returns the rest.
func (l *loginLimiter) recent(key string, now time.Time) []time.Time {
	times := l.log[key]
	i := 0
	for i < len(times) && !now.Before(times[i].Add(l.limits.Window)) {
		i++
	}
	times = times[i:]
	if len(times) == 0 {
		delete(l.log, key)
	} else {
		l.log[key] = times
	}
	return times
}

func (l *loginLimiter) allow(username, ip string, now time.Time) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var wait time.Duration
	keys := []string{"user:" + username, "ip:" + ip}
	for i, limit := range []int{l.limits.PerAccount, l.limits.PerIP} {
		if times := l.recent(keys[i], now); len(times) >= limit {
			// Free again when enough of the oldest entries have left the window.
			wait = max(wait, times[len(times)-limit].Add(l.limits.Window).Sub(now))
		}
	}
	if wait > 0 {
		return wait, false
	}
	for _, k := range keys {
		l.log[k] = append(l.log[k], now)
	}
	return 0, true
}

func (l *loginLimiter) failed(username, ip string, now time.Time) {}

func (l *loginLimiter) succeeded(username, ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.log, "user:"+username)
	if times := l.log["ip:"+ip]; len(times) > 0 {
		l.log["ip:"+ip] = times[:len(times)-1]
	}
}

func tooManyAttempts(w http.ResponseWriter, wait time.Duration) {
	secs := int64((wait + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", strconv.FormatInt(max(secs, 1), 10))
	writeError(w, http.StatusTooManyRequests, "too many failed logins: try again later")
}
