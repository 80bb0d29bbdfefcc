//go:build labcheck

package main

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

const labUsersSchema = `
CREATE TABLE users (
    username      text PRIMARY KEY,
    email         text NOT NULL DEFAULT '',
    password_hash text NOT NULL
);`

// labUsersApp is the app with its users in a fresh users table (Config.Users nil).
func labUsersApp(t *testing.T) (*labApp, *pgxpool.Pool) {
	t.Helper()
	db := labDB(t, labUsersSchema)
	app := labNewApp(t, func(c *Config) { c.DB, c.Users = db, nil })
	return app, db
}

func labInsertUser(t *testing.T, db *pgxpool.Pool, username, hash string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), labTimeout)
	defer cancel()
	_, err := db.Exec(ctx, `INSERT INTO users (username, email, password_hash) VALUES ($1, $2, $3)`,
		username, username+"@shop.example", hash)
	if err != nil {
		t.Fatalf("setting up: insert user %s: %v", username, err)
	}
}

func labStoredHash(t *testing.T, db *pgxpool.Pool, username string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), labTimeout)
	defer cancel()
	var hash string
	if err := db.QueryRow(ctx, `SELECT password_hash FROM users WHERE username = $1`, username).Scan(&hash); err != nil {
		t.Fatalf("reading the stored hash of %s from the users table: %v", username, err)
	}
	return hash
}

// labArgon2Hash makes a PHC string the way the lesson describes, with the test's own code.
func labArgon2Hash(password string, p Argon2Params, salt []byte) string {
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

const labPHCShape = "$argon2id$v=19$m=8192,t=1,p=1$<salt>$<hash> (salt and hash in base64 without padding)"

// labCheckPHC says what is wrong with hash as the argon2id hash of password with the
// parameters want; "" when nothing is. It returns the salt too.
func labCheckPHC(hash, password string, want Argon2Params) (problem string, salt []byte) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return fmt.Sprintf("got the stored hash %q, want an argon2id PHC string: %s", labClip(hash), labPHCShape), nil
	}
	if parts[2] != "v=19" {
		return fmt.Sprintf("got the version field %q, want \"v=19\" (argon2.Version)", parts[2]), nil
	}
	var m, tm, p uint64
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &tm, &p); err != nil ||
		parts[3] != fmt.Sprintf("m=%d,t=%d,p=%d", m, tm, p) {
		return fmt.Sprintf("got the parameters field %q, want the form \"m=8192,t=1,p=1\"", parts[3]), nil
	}
	if m != uint64(want.Memory) || tm != uint64(want.Time) || p != uint64(want.Threads) {
		return fmt.Sprintf("got parameters %q, want the current ones from Config.Argon2: \"m=%d,t=%d,p=%d\"",
			parts[3], want.Memory, want.Time, want.Threads), nil
	}
	b64 := base64.RawStdEncoding.Strict()
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return fmt.Sprintf("the salt %q is not base64 without padding (base64.RawStdEncoding): %v", parts[4], err), nil
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil {
		return fmt.Sprintf("the hash %q is not base64 without padding (base64.RawStdEncoding): %v", parts[5], err), nil
	}
	if len(salt) != int(want.SaltLen) {
		return fmt.Sprintf("got a salt of %d bytes, want %d (Config.Argon2.SaltLen), from crypto/rand", len(salt), want.SaltLen), nil
	}
	if len(key) != int(want.KeyLen) {
		return fmt.Sprintf("got a hash of %d bytes, want %d (Config.Argon2.KeyLen)", len(key), want.KeyLen), nil
	}
	again := argon2.IDKey([]byte(password), salt, uint32(tm), uint32(m), uint8(p), uint32(len(key)))
	if subtle.ConstantTimeCompare(again, key) != 1 {
		return "the hash is not argon2.IDKey(password, salt, t, m, p, keyLen) with the salt and parameters it shows", nil
	}
	return "", salt
}

func TestSignupStoresArgon2idPHC(t *testing.T) {
	app, db := labUsersApp(t)
	var salts []string
	for _, name := range []string{"grace", "alan"} {
		body, _ := json.Marshal(map[string]string{"username": name, "password": labPassword, "email": name + "@shop.example"})
		e := app.postJSON("/signup", string(body), "")
		e.wantStatus(http.StatusCreated)
		stored := labStoredHash(t, db, name)
		if strings.Contains(stored, labPassword) {
			e.fail(fmt.Sprintf("the users table holds the password itself: %q", stored))
		}
		problem, salt := labCheckPHC(stored, labPassword, labArgon2)
		if problem != "" {
			e.fail("after signup, "+problem,
				"hashPassword (passwords.go): argon2.IDKey with a random salt and Config.Argon2, written as a PHC string")
		}
		salts = append(salts, string(salt))
	}
	if salts[0] == salts[1] {
		t.Fatalf("grace and alan got the same salt %x: the salt must be random (crypto/rand) for every hash", salts[0])
	}
	e := app.login("grace", labPassword, "")
	e.wantStatus(http.StatusOK, "grace just signed up with this password: verifyPassword must accept the hashes hashPassword makes")
}

func TestLoginVerifiesArgon2id(t *testing.T) {
	app, db := labUsersApp(t)
	hash := labArgon2Hash(labPassword, labArgon2, []byte("0123456789abcdef"))
	labInsertUser(t, db, "ada", hash)
	labInsertUser(t, db, "mallory", "$argon2id$v=19$m=8192,t=1,p=1$!!not-base64!!$AAAA")
	labInsertUser(t, db, "eve", "$argon2id$v=19$m=8192,t=1,p=1$")

	for _, wrong := range []string{"correct horse batterY", "", hash} {
		e := app.login("ada", wrong, "")
		e.wantStatus(http.StatusUnauthorized, fmt.Sprintf("ada's password is %q, not %q", labPassword, wrong))
	}
	e := app.login("ada", labPassword, "")
	e.wantStatus(http.StatusOK,
		"ada's stored hash is argon2id: verifyPassword (passwords.go) must parse the PHC string, recompute "+
			"argon2.IDKey with the salt and parameters it holds, and compare with subtle.ConstantTimeCompare")
	if got := labStoredHash(t, db, "ada"); got != hash {
		e.fail(fmt.Sprintf("the stored hash changed from %q to %q, want it unchanged: it already has the current parameters", hash, got),
			"re-hash only when needsRehash says the hash is legacy or its parameters differ from Config.Argon2; each re-hash costs a hash")
	}
	for _, name := range []string{"mallory", "eve"} {
		e := app.login(name, labPassword, "")
		e.wantStatus(http.StatusUnauthorized,
			"a stored hash that cannot be parsed is a failed login (401), never a 500 or a panic: check the parts before using them")
	}
}

// labMigrates logs in to an account stored with a legacy hash, and checks the stored hash
// is then argon2id with the current parameters.
func labMigrates(t *testing.T, legacy, kind string) {
	app, db := labUsersApp(t)
	labInsertUser(t, db, "old_timer", legacy)

	e := app.login("old_timer", "wrong password", "")
	e.wantStatus(http.StatusUnauthorized)
	if got := labStoredHash(t, db, "old_timer"); got != legacy {
		e.fail(fmt.Sprintf("after a failed login the stored hash changed to %q, want the %s hash unchanged", got, kind),
			"upgrade a hash only after the password was checked and found right")
	}

	e = app.login("old_timer", labPassword, "")
	e.wantStatus(http.StatusOK, fmt.Sprintf("the stored hash is %s: verifyPassword must still accept it", kind))
	stored := labStoredHash(t, db, "old_timer")
	if stored == legacy {
		e.fail(fmt.Sprintf("after a successful login the stored hash is still the %s one %q, want an argon2id hash with the current parameters", kind, legacy),
			"the login is the one moment the app knows the password: in checkCredentials (passwords.go), when needsRehash(hash, a.cfg.Argon2) "+
				"is true, hash the password again and store it with a.users.ReplacePasswordHash(ctx, username, oldHash, newHash)")
	}
	if problem, _ := labCheckPHC(stored, labPassword, labArgon2); problem != "" {
		e.fail("after a successful login, "+problem, "the new hash must come from hashPassword(password, a.cfg.Argon2)")
	}
	e = app.login("old_timer", labPassword, "")
	e.wantStatus(http.StatusOK, "the hash stored at the previous login must verify")
	if again := labStoredHash(t, db, "old_timer"); again != stored {
		e.fail("a second login re-hashed a hash that already had the current parameters", "needsRehash must say false for those")
	}
}

func TestLoginMigratesLegacySHA256(t *testing.T) {
	labMigrates(t, labSHA256(labPassword), "unsalted SHA-256")
}

func TestLoginMigratesBcrypt(t *testing.T) {
	h, err := bcrypt.GenerateFromPassword([]byte(labPassword), bcrypt.MinCost)
	if err != nil {
		t.Fatalf("setting up: bcrypt: %v", err)
	}
	labMigrates(t, string(h), "bcrypt")
}

func TestLoginRehashesOutdatedParams(t *testing.T) {
	app, db := labUsersApp(t)
	old := labArgon2Hash(labPassword, labOldArgon2, []byte("fedcba9876543210"))
	labInsertUser(t, db, "ada", old)
	e := app.login("ada", labPassword, "")
	e.wantStatus(http.StatusOK,
		"ada's hash has other parameters (m="+strconv.Itoa(int(labOldArgon2.Memory))+") than the current ones: verify with the parameters written in the hash, not with Config.Argon2")
	stored := labStoredHash(t, db, "ada")
	if stored == old {
		e.fail(fmt.Sprintf("after a successful login the stored hash still has the outdated parameters: %q", old),
			"needsRehash must compare the parameters in the hash (m, t, p, salt and key length) with a.cfg.Argon2 and say true when they differ")
	}
	if problem, _ := labCheckPHC(stored, labPassword, labArgon2); problem != "" {
		e.fail("after a successful login, " + problem)
	}
}
