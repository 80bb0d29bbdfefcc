package main

import (
	"net/http"
	"time"
)

// loginLimiter counts failed logins per username and per client IP (Config.LoginLimits).
type loginLimiter struct {
	limits LoginLimits
	// TODO(brute-force): what you need to remember, and a mutex: logins run concurrently.
}

func newLoginLimiter(limits LoginLimits) *loginLimiter {
	return &loginLimiter{limits: limits}
}

// allow reports whether a login for username from ip may be tried at now; when it may not,
// wait is how long until it may. handleLogin (passwords.go) calls it before checking the
// password.
func (l *loginLimiter) allow(username, ip string, now time.Time) (wait time.Duration, ok bool) {
	// TODO(brute-force): refuse when the username has had PerAccount failures, or the IP
	// PerIP failures, within the last Window.
	return 0, true
}

// failed is called after a wrong password (or an unknown username).
func (l *loginLimiter) failed(username, ip string, now time.Time) {
	// TODO(brute-force): count the failure against the username and against the IP.
}

// succeeded is called after a successful login.
func (l *loginLimiter) succeeded(username, ip string) {
	// TODO(brute-force): forget the account's failures.
}

// tooManyAttempts answers 429 Too Many Requests.
func tooManyAttempts(w http.ResponseWriter, wait time.Duration) {
	// TODO(brute-force): tell the client when to come back: Retry-After, in whole seconds.
	writeError(w, http.StatusTooManyRequests, "too many failed logins: try again later")
}
