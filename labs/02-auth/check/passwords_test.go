//go:build labcheck

package main

import (
	"bytes"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// checkHash says why stored is not a good hash of password, or "" when it is one.
func checkHash(stored, password string) string {
	switch {
	case stored == "":
		return "the stored hash is empty"
	case stored == password || strings.Contains(stored, password):
		return "the stored value contains the password itself"
	case strings.HasPrefix(stored, "$2a$"), strings.HasPrefix(stored, "$2b$"), strings.HasPrefix(stored, "$2y$"):
		if err := bcrypt.CompareHashAndPassword([]byte(stored), []byte(password)); err != nil {
			return fmt.Sprintf("it looks like bcrypt, but bcrypt.CompareHashAndPassword(hash, password) says: %v", err)
		}
		return ""
	case strings.HasPrefix(stored, "$argon2id$"):
		return checkArgon2id(stored, password)
	}
	return `want a bcrypt hash ("$2a$10$...", from bcrypt.GenerateFromPassword) or an argon2id one ("$argon2id$v=19$m=...,t=...,p=...$salt$hash")`
}

func checkArgon2id(stored, password string) string {
	parts := strings.Split(stored, "$") // "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
	if len(parts) != 6 {
		return `an argon2id hash has 5 "$"-separated parts: $argon2id$v=19$m=65536,t=1,p=4$<salt>$<hash>`
	}
	var m, tm uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &tm, &p); err != nil {
		return fmt.Sprintf("argon2id parameters %q: want m=<memory KiB>,t=<passes>,p=<threads> (%v)", parts[3], err)
	}
	dec := func(s string) ([]byte, error) {
		if b, err := base64.RawStdEncoding.DecodeString(s); err == nil {
			return b, nil
		}
		return base64.StdEncoding.DecodeString(s)
	}
	salt, err1 := dec(parts[4])
	sum, err2 := dec(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(sum) < 16 {
		return "argon2id salt and hash must be base64 (no padding), at least 8 and 16 bytes"
	}
	got := argon2.IDKey([]byte(password), salt, tm, m, p, uint32(len(sum)))
	if subtle.ConstantTimeCompare(got, sum) != 1 {
		return "it looks like argon2id, but recomputing it from the password, salt and parameters gives a different hash"
	}
	return ""
}

func TestSignupStoresPasswordHash(t *testing.T) {
	app, _ := newTestApp(t)
	const pw = "correct horse battery"
	r := do(t, app, "POST", "/signup", creds{"ada", pw})
	wantCode(t, r, http.StatusCreated, "")
	var v struct{ Username, Role string }
	r.decode(t, &v)
	if v.Username != "ada" || v.Role != "user" {
		t.Fatalf(`%s: got body %s, want {"username":"ada","role":"user"}`, r.req, strings.TrimSpace(r.body))
	}
	if bytes.Contains([]byte(r.body), []byte(pw)) {
		t.Fatalf("%s: the response body %s contains the password", r.req, strings.TrimSpace(r.body))
	}

	ada, ok := app.users.Get("ada")
	if !ok {
		t.Fatalf(`after %s: app.users.Get("ada") found no user, want the new user`, r.req)
	}
	if why := checkHash(ada.PasswordHash, pw); why != "" {
		t.Fatalf("after %s: the stored PasswordHash is %q: %s", r.req, short(ada.PasswordHash), why)
	}

	signup(t, app, "bob", pw)
	bob, _ := app.users.Get("bob")
	if bob.PasswordHash == ada.PasswordHash {
		t.Fatalf("ada and bob signed up with the same password and got the same stored hash %q, want different ones: hash with a random salt (bcrypt does it for you)", short(ada.PasswordHash))
	}
}

func TestLoginChecksPasswordHash(t *testing.T) {
	app, _ := newTestApp(t)
	const pw = "correct horse battery"
	signup(t, app, "ada", pw)
	ada, _ := app.users.Get("ada")
	if why := checkHash(ada.PasswordHash, pw); why != "" {
		t.Fatalf("signup stored PasswordHash %q: %s (see TestSignupStoresPasswordHash)", short(ada.PasswordHash), why)
	}

	r := do(t, app, "POST", "/login", creds{"ada", pw})
	wantCode(t, r, http.StatusOK, "check the password with bcrypt.CompareHashAndPassword(storedHash, password)")
	for _, wrong := range []string{"wrong password", "Correct Horse Battery", "", ada.PasswordHash} {
		r := do(t, app, "POST", "/login", creds{"ada", wrong})
		hint := ""
		if wrong == ada.PasswordHash {
			hint = "the stored hash itself is not the password: compare with bcrypt, never with =="
		}
		wantCode(t, r, http.StatusUnauthorized, hint)
	}
}

func TestLoginDoesNotRevealUnknownUsers(t *testing.T) {
	app, _ := newTestApp(t)
	signup(t, app, "ada", "correct horse battery")
	wrong := do(t, app, "POST", "/login", creds{"ada", "not her password"})
	unknown := do(t, app, "POST", "/login", creds{"nobody", "not her password"})
	if wrong.code != http.StatusUnauthorized || unknown.code != http.StatusUnauthorized ||
		strings.TrimSpace(wrong.body) != strings.TrimSpace(unknown.body) {
		t.Fatalf("wrong password, %s: got %s\nunknown user, %s: got %s\nwant the same 401 and the same body for both, so nobody can find out which usernames exist",
			wrong.req, wrong, unknown.req, unknown)
	}
}

func TestSignupValidatesPassword(t *testing.T) {
	app, _ := newTestApp(t)
	for _, c := range []struct {
		name, pw string
		want     int
		why      string
	}{
		{"ada", "short", 400, "passwords under 8 bytes are too easy to guess"},
		{"ada", "1234567", 400, "passwords under 8 bytes are too easy to guess"},
		{"ada", strings.Repeat("x", 73), 400, "bcrypt ignores everything after byte 72: refuse longer passwords instead of silently cutting them"},
		{"ada", strings.Repeat("x", 72), 201, "72 bytes is allowed"},
		{"bob", "12345678", 201, "8 bytes is allowed"},
		{"ada", "another password", 409, "ada exists already"},
	} {
		r := do(t, app, "POST", "/signup", creds{c.name, c.pw})
		wantCode(t, r, c.want, c.why)
	}
	r := do(t, app, "POST", "/signup", creds{"root", "root password"})
	wantCode(t, r, http.StatusCreated, "")
	var v struct{ Role string }
	r.decode(t, &v)
	if v.Role != "admin" {
		t.Fatalf("%s with Config.Admins = [root]: got %s, want role admin", r.req, r)
	}
}

// TestLoginHashesForUnknownUsers compares the CPU time of logins, not their wall-clock time: a
// login for an unknown user that skips the password hash costs about a hundredth of one that
// runs bcrypt, whatever else the machine is doing, while both paths doing the work cost about
// the same.
func TestLoginHashesForUnknownUsers(t *testing.T) {
	const cost = 9 // about 30 ms of CPU per hash: large next to everything else a login does
	app, _ := newTestApp(t, func(c *Config) { c.PasswordCost = cost })
	signup(t, app, "ada", "correct horse battery")
	wantCode(t, do(t, app, "POST", "/login", creds{"ada", "correct horse battery"}), http.StatusOK, "")

	const rounds = 3
	var wrongCPU, unknownCPU time.Duration
	for i := range rounds {
		start := labCPUTime()
		r := do(t, app, "POST", "/login", creds{"ada", fmt.Sprintf("not her password %d", i)})
		wrongCPU += labCPUTime() - start
		wantCode(t, r, http.StatusUnauthorized, "")

		start = labCPUTime()
		r = do(t, app, "POST", "/login", creds{fmt.Sprintf("nobody%d", i), fmt.Sprintf("not her password %d", i)})
		unknownCPU += labCPUTime() - start
		wantCode(t, r, http.StatusUnauthorized, "an unknown user gets the same 401 as a wrong password")
	}
	if wrongCPU <= 0 {
		t.Skip("this system does not report CPU time")
	}
	if unknownCPU*4 < wrongCPU {
		t.Fatalf("%d logins as the unknown users nobody0..%d used %v of CPU; %d logins as ada with a wrong password used %v (PasswordCost %d): "+
			"the unknown-user path does far less work (it skips the password hash, or hashes at a lower cost), so an attacker can tell from the response time which usernames exist\n"+
			"hint: when the user does not exist, still hash the attempt at a.cfg.PasswordCost (or compare it with a dummy hash made at that cost), so both failures do the same work",
			rounds, rounds-1, unknownCPU.Round(time.Microsecond), rounds, wrongCPU.Round(time.Microsecond), cost)
	}
}
