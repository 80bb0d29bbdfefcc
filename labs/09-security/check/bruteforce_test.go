//go:build labcheck

package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// wantLocked checks a 429 with a Retry-After of whole seconds; want > 0 also checks its value
// (within a second).
func (e *labExchange) wantLocked(why string, want int) {
	e.t.Helper()
	if e.status != http.StatusTooManyRequests {
		hint := "allow (bruteforce.go) must refuse before the password is even checked"
		if e.status == http.StatusOK {
			hint = "the right password still worked, so an attacker can keep guessing until a guess is right. " + hint
		}
		e.fail(fmt.Sprintf("%s: got status %d %s, want 429 Too Many Requests", why, e.status, http.StatusText(e.status)), hint)
	}
	ra := e.header.Get("Retry-After")
	secs, err := strconv.Atoi(ra)
	if err != nil || secs <= 0 {
		e.fail(fmt.Sprintf("%s: got Retry-After %q, want a whole number of seconds > 0", why, ra),
			"tooManyAttempts (bruteforce.go): w.Header().Set(\"Retry-After\", strconv.Itoa(seconds)), rounded up")
	}
	if want > 0 && (secs < want-1 || secs > want+1) {
		e.fail(fmt.Sprintf("%s: got Retry-After %d, want %d (seconds until the window of the failures ends)", why, secs, want))
	}
}

// labIP is a documentation address with a source port: a client's port changes with every
// connection, so it must not be part of the key.
func labIP(host string, port int) string { return fmt.Sprintf("%s:%d", host, port) }

func TestLoginLockedPerAccount(t *testing.T) {
	app := labNewApp(t)
	// Five wrong passwords for ada, each from another address: a botnet.
	for i := 1; i <= labLimits.PerAccount; i++ {
		e := app.login("ada", fmt.Sprintf("guess-%d", i), labIP(fmt.Sprintf("198.51.100.%d", i), 40000+i))
		e.wantStatus(http.StatusUnauthorized, fmt.Sprintf("failure %d of %d is still allowed (limit %d per account)", i, labLimits.PerAccount, labLimits.PerAccount))
	}
	e := app.login("ada", labPassword, labIP("198.51.100.77", 41000))
	e.wantLocked(fmt.Sprintf("after %d failed passwords for ada within 15 minutes, her right password from a new address", labLimits.PerAccount), 15*60)

	e = app.login("bob", labPassword, labIP("198.51.100.1", 42000))
	e.wantStatus(http.StatusOK, "only ada's account is locked: bob, from an address with a single failure, must get in")
}

func TestLoginLimitedPerIP(t *testing.T) {
	app := labNewApp(t)
	// Password spraying: one address, one guess for each of many usernames.
	for i := 1; i <= labLimits.PerIP; i++ {
		e := app.login(fmt.Sprintf("user%02d", i), "Summer2035!", labIP("203.0.113.9", 50000+i))
		e.wantStatus(http.StatusUnauthorized, fmt.Sprintf("failure %d of %d from this address is still allowed (limit %d per IP)", i, labLimits.PerIP, labLimits.PerIP))
	}
	e := app.login("ada", labPassword, labIP("203.0.113.9", 51000))
	e.wantLocked(fmt.Sprintf("after %d failed logins from 203.0.113.9 (each for another username, each from another source port), ada's right password from that address", labLimits.PerIP), 15*60)

	e = app.login("ada", labPassword, labIP("203.0.113.10", 51001))
	e.wantStatus(http.StatusOK, "the limit is per address: ada, from another one, must get in")
}

func TestLoginLimitIgnoresSpoofedForwardedFor(t *testing.T) {
	app := labNewApp(t) // no Config.TrustedProxies: nobody's X-Forwarded-For is believed
	for i := 1; i <= labLimits.PerIP; i++ {
		fake := fmt.Sprintf("10.9.%d.%d", i/250, i%250+1)
		e := app.login(fmt.Sprintf("user%02d", i), "Summer2035!", labIP("203.0.113.9", 50000+i),
			"X-Forwarded-For", fake, "X-Real-IP", fake)
		e.wantStatus(http.StatusUnauthorized)
	}
	e := app.login("ada", labPassword, labIP("203.0.113.9", 51000), "X-Forwarded-For", "10.9.9.9", "X-Real-IP", "10.9.9.9")
	if e.status != http.StatusTooManyRequests {
		e.fail(fmt.Sprintf("after %d failures from 203.0.113.9, each claiming another X-Forwarded-For: got status %d, want 429", labLimits.PerIP, e.status),
			"the client writes X-Forwarded-For itself: believe it only from Config.TrustedProxies. Key the limit with a.clientIP(r) (proxy.go), "+
				"which does exactly that, not with a header")
	}
}

func TestLoginLockExpires(t *testing.T) {
	app := labNewApp(t)
	for i := 1; i <= labLimits.PerAccount; i++ {
		app.login("ada", fmt.Sprintf("guess-%d", i), "").wantStatus(http.StatusUnauthorized)
	}
	app.clock.Advance(time.Minute - 500*time.Millisecond)
	e := app.login("ada", labPassword, "")
	e.wantLocked("59.5 s after 5 failures in a 15-minute window, the right password", 14*60+1)
	if ra := e.header.Get("Retry-After"); ra != "841" {
		e.fail(fmt.Sprintf("59.5 s after 5 failures in a 15-minute window: got Retry-After %s, want 841", ra),
			"840.5 s are left: round up, or the client comes back half a second before the lock ends and is refused again")
	}

	app.clock.Advance(14*time.Minute + time.Second) // the window of the failures is over
	e = app.login("ada", labPassword, "")
	e.wantStatus(http.StatusOK, "15 minutes after the failures they no longer count (the clock is Config.Now: never call time.Now)")
	e = app.login("ada", "guess-6", "")
	e.wantStatus(http.StatusUnauthorized, "after the lock ended (and a successful login) a wrong password is an ordinary 401 again")
}

func TestLoginSuccessResetsAccountCount(t *testing.T) {
	app := labNewApp(t)
	for i := 1; i < labLimits.PerAccount; i++ {
		app.login("ada", fmt.Sprintf("typo-%d", i), "").wantStatus(http.StatusUnauthorized)
	}
	app.login("ada", labPassword, "").wantStatus(http.StatusOK, "4 failures are under the limit of 5")
	for i := 1; i <= labLimits.PerAccount; i++ {
		e := app.login("ada", fmt.Sprintf("typo-again-%d", i), "")
		e.wantStatus(http.StatusUnauthorized, fmt.Sprintf("this is failure %d since ada's successful login, which must have reset her count "+
			"(succeeded in bruteforce.go): a user who mistypes now and then must never be locked out", i))
	}
	e := app.login("ada", labPassword, "")
	e.wantLocked("5 failures after the reset", 0)
}

func TestLoginSuccessKeepsTheIPCount(t *testing.T) {
	app := labNewApp(t)
	const from = "203.0.113.50"
	for i := 1; i < labLimits.PerIP; i++ {
		e := app.login(fmt.Sprintf("user%02d", i), "Summer2035!", labIP(from, 50000+i))
		e.wantStatus(http.StatusUnauthorized, fmt.Sprintf("failure %d of %d from this address is still allowed", i, labLimits.PerIP))
	}
	app.login("ada", labPassword, labIP(from, 51000)).wantStatus(http.StatusOK,
		fmt.Sprintf("%d failures from %s are under the limit of %d per IP", labLimits.PerIP-1, from, labLimits.PerIP))
	e := app.login("user99", "Summer2035!", labIP(from, 51001))
	e.wantStatus(http.StatusUnauthorized, fmt.Sprintf("this is failure %d from %s: a successful login is not a failure, so it must not count against the IP", labLimits.PerIP, from))
	e = app.login("bob", labPassword, labIP(from, 51002))
	if e.status != http.StatusTooManyRequests {
		e.fail(fmt.Sprintf("after %d failures from %s, with ada's successful login among them, bob's right password from there: got status %d, want 429", labLimits.PerIP, from, e.status),
			"a successful login resets the account's count, not the IP's (succeeded in bruteforce.go): an attacker who owns one account "+
				"could otherwise sign into it between guesses and spray passwords forever")
	}
}

// labParkingUsers is a UserStore that parks every GetUser of one username until the test
// releases it: a login then sits between its limiter check and the end of its password
// check, which is where a check-then-count limiter lets concurrent guesses through.
type labParkingUsers struct {
	UserStore
	username string
	parked   chan struct{} // one send per parked GetUser
	release  chan struct{} // closed by the test
}

func (s *labParkingUsers) GetUser(ctx context.Context, username string) (User, error) {
	if username == s.username {
		select {
		case s.parked <- struct{}{}:
			<-s.release
		case <-s.release:
		}
	}
	return s.UserStore.GetUser(ctx, username)
}

func TestLoginConcurrentFailuresStayWithinLimit(t *testing.T) {
	n := labLimits.PerAccount + 1
	park := &labParkingUsers{username: "ada", parked: make(chan struct{}), release: make(chan struct{})}
	app := labNewApp(t, func(c *Config) { park.UserStore = c.Users; c.Users = park })

	// n wrong passwords for ada at once, each from another address. Every login that gets
	// past the limiter is parked in GetUser, before its failure can be known, until each of
	// the n has either been parked or answered: the interleaving where they all pass the
	// check before any failure is counted is forced, not hoped for.
	statuses := make(chan int, n)
	for i := 1; i <= n; i++ {
		body := fmt.Sprintf(`{"username":"ada","password":"guess-%d"}`, i)
		go func() {
			req := httptest.NewRequest(http.MethodPost, labSite+"/login", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.RemoteAddr = labIP(fmt.Sprintf("198.51.100.%d", 100+i), 43000+i)
			rec := httptest.NewRecorder()
			defer func() {
				if recover() != nil {
					rec.Code = -1
				}
				statuses <- rec.Code
			}()
			app.h.ServeHTTP(rec, req)
		}()
	}
	var got []int
	parked := 0
	guard := time.NewTimer(labTimeout)
	defer guard.Stop()
wait:
	for parked+len(got) < n {
		select {
		case <-park.parked:
			parked++
		case s := <-statuses:
			got = append(got, s)
		case <-guard.C:
			break wait // a limiter that makes logins wait for each other: judge what comes out
		}
	}
	close(park.release)
	for len(got) < n {
		select {
		case s := <-statuses:
			got = append(got, s)
		case <-time.After(labTimeout):
			t.Fatalf("%d concurrent logins for ada: %d answered within %v after they were released; is a lock held forever?", n, len(got), labTimeout)
		}
	}
	count := map[int]int{}
	for _, s := range got {
		count[s]++
	}
	if count[http.StatusUnauthorized] > labLimits.PerAccount || count[http.StatusTooManyRequests] != n-labLimits.PerAccount {
		t.Fatalf("%d concurrent wrong passwords for ada (limit %d per account): %d reached the password check together (each was held there until the others had arrived) "+
			"and the answers were %d × 401, %d × 429 (all: %v); want %d × 401 and %d × 429\n"+
			"hint: all of them passed allow before the first failure was counted, so an attacker who sends guesses in parallel gets as many as they like. "+
			"Count the attempt in allow itself, under the same lock as the check (and take it back in succeeded), instead of only in failed, after the slow password check",
			n, labLimits.PerAccount, parked, count[http.StatusUnauthorized], count[http.StatusTooManyRequests], got, labLimits.PerAccount, n-labLimits.PerAccount)
	}
	e := app.login("ada", labPassword, labIP("198.51.100.200", 44000))
	e.wantLocked(fmt.Sprintf("after %d concurrent failures for ada, her right password", labLimits.PerAccount), 15*60)
}
