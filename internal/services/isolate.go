package services

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/redis/go-redis/v9"
)

// Isolation of one check.
//
// Redis: a check gets a server of its own, so no command it sends (FLUSHALL, KEYS *, SUBSCRIBE
// to any channel, SELECT of any database) reaches another check's data:
//   - Docker: the reused container runs redisPool servers besides the admin one; a check claims
//     one with SET lab:pool:<n> <owner> NX EX <ttl> on the admin server, which resets it (flush,
//     drop functions and scripts, drop the previous check's user and its connections) and makes
//     a user with a fresh random password that may run everything but @admin commands (CONFIG,
//     ACL, SHUTDOWN, DEBUG, MODULE, REPLICAOF, MONITOR, CLIENT KILL...). The claim is refreshed
//     while the check runs and expires after the TTL when the check was killed.
//   - local binaries: a redis-server started for the check alone and stopped at release.
//   - external URLs: one server the instructor runs; a check claims a database number 1..15
//     (SET lab:claim:<n> NX in db 0). That isolates honest checks only: a hostile one can SELECT
//     another number or FLUSHALL (see docs/classroom.md).
// The default user of every server lab starts is off: without the password nothing answers.
//
// PostgreSQL: each check gets a role of its own (random name and password, LOGIN and nothing
// else) that owns a fresh database lab_c_<random>; CONNECT is revoked from PUBLIC on every
// database, so the role reaches its own database only. Database and role are dropped on
// release (WITH (FORCE)). The check's admin connection holds an advisory lock on the name for
// the whole check, so a database or role whose lock nobody holds belongs to a dead check and
// the next Acquire drops it.

const (
	redisDBs         = 16 // Redis' default "databases"
	redisPool        = 16 // per-check servers in the reused Redis container
	claimPrefix      = "lab:claim:"
	poolClaimPrefix  = "lab:pool:"
	redisAdminUser   = "lab"
	redisCheckUser   = "check"
	manualDatabase   = "lab"
	checkDBPrefix    = "lab_c_"
	advisoryLockBase = 0x1ab // classid of lab's advisory locks
	releaseTimeout   = 10 * time.Second
	// checkConnLimit bounds one check's PostgreSQL connections so that a connection leak (or
	// a flood) cannot use up max_connections for the checks running beside it.
	checkConnLimit = 50
)

// releaseCtx is the context cleanup runs in: independent of the (maybe cancelled) check.
func releaseCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), releaseTimeout)
}

// errConnect marks a failure to reach a server that was thought to be up.
var errConnect = errors.New("connect")

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func claimOwner() string {
	h, _ := os.Hostname()
	return fmt.Sprintf("%s:%d:%s", h, os.Getpid(), randomHex(4))
}

var (
	refreshClaim = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) else return 0 end`)
	dropClaim    = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end`)
)

// redisOptions parses an admin URL; ParseURL copes with passwords and rediss.
func redisOptions(adminURL string, db int) (*redis.Options, error) {
	o, err := redis.ParseURL(adminURL)
	if err != nil {
		return nil, err
	}
	o.DB = db
	o.PoolSize = 2
	o.MaxRetries = 1
	o.DialTimeout = 2 * time.Second
	o.ReadTimeout = 5 * time.Second
	o.WriteTimeout = 5 * time.Second
	o.DisableIdentity = true // no CLIENT SETINFO round trips on old servers
	o.Protocol = 2
	return o, nil
}

func withDB(adminURL string, db int) string {
	u, err := url.Parse(adminURL)
	if err != nil {
		return adminURL
	}
	u.Path = "/" + strconv.Itoa(db)
	return u.String()
}

// redisURL is a Redis URL for user:password at hostPort, database db.
func redisURL(hostPort, user, password string, db int) string {
	u := url.URL{Scheme: "redis", Host: hostPort, Path: "/" + strconv.Itoa(db)}
	if user != "" || password != "" {
		u.User = url.UserPassword(user, password)
	}
	return u.String()
}

// claimSlot claims a free slot 1..slots (SET <prefix><n> <owner> NX EX ttl on admin), keeps the
// claim alive while the check runs, and returns it with the func that gives it back.
func claimSlot(ctx context.Context, admin *redis.Client, prefix string, slots int, ttl time.Duration) (int, func(), error) {
	owner := claimOwner()
	start, _ := rand.Int(rand.Reader, big.NewInt(int64(slots)))
	for {
		for i := range slots {
			d := 1 + (int(start.Int64())+i)%slots
			ok, err := admin.SetNX(ctx, prefix+strconv.Itoa(d), owner, ttl).Result()
			if err != nil {
				return 0, nil, fmt.Errorf("claim: %w", err)
			}
			if ok {
				return d, keepClaim(admin, prefix+strconv.Itoa(d), owner, ttl), nil
			}
		}
		select {
		case <-ctx.Done():
			return 0, nil, fmt.Errorf("all %d are claimed by other checks: %w", slots, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// keepClaim refreshes a claim every ttl/3 until the returned func drops it.
func keepClaim(admin *redis.Client, key, owner string, ttl time.Duration) func() {
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(ttl / 3)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				c, cancel := context.WithTimeout(context.Background(), ttl/3)
				refreshClaim.Run(c, admin, []string{key}, owner, ttl.Milliseconds())
				cancel()
			}
		}
	})
	var once sync.Once
	return func() {
		once.Do(func() {
			close(stop)
			wg.Wait()
			rctx, cancel := releaseCtx()
			defer cancel()
			dropClaim.Run(rctx, admin, []string{key}, owner)
		})
	}
}

// claimRedis claims a free database number on a shared server (external URLs) and returns its
// URL and the release.
func claimRedis(ctx context.Context, adminURL string, ttl time.Duration) (string, func(), error) {
	o, err := redisOptions(adminURL, 0)
	if err != nil {
		return "", nil, err
	}
	admin := redis.NewClient(o)
	n, unclaim, err := claimSlot(ctx, admin, claimPrefix, redisDBs-1, ttl)
	if err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("a Redis database number: %w", err)
	}
	flush := func(ctx context.Context) error {
		co, _ := redisOptions(adminURL, n)
		c := redis.NewClient(co)
		defer c.Close()
		return c.FlushDB(ctx).Err()
	}
	if err := flush(ctx); err != nil {
		unclaim()
		admin.Close()
		return "", nil, fmt.Errorf("flush database %d: %w", n, err)
	}
	release := func() {
		rctx, cancel := releaseCtx()
		defer cancel()
		_ = flush(rctx)
		unclaim()
		admin.Close()
	}
	return withDB(adminURL, n), release, nil
}

// checkUserRules are the ACL rules of a check's user on a server of its own: every key,
// channel and command but the @admin ones, which would reach beyond the check's data (CONFIG,
// ACL, SHUTDOWN, DEBUG, MODULE, REPLICAOF, MONITOR, CLIENT KILL, SAVE...).
var checkUserRules = []string{"~*", "&*", "+@all", "-@admin"}

// claimRedisServer claims one of the per-check servers of a pool (the Docker container),
// resets it, and returns a URL with a user of the check's own.
func claimRedisServer(ctx context.Context, s *server, ttl time.Duration) (string, func(), error) {
	o, err := redisOptions(s.url, 0)
	if err != nil {
		return "", nil, err
	}
	admin := redis.NewClient(o)
	n, unclaim, err := claimSlot(ctx, admin, poolClaimPrefix, len(s.pool), ttl)
	if err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("a Redis server: %w", err)
	}
	addr := s.pool[n-1]
	po, _ := redisOptions(redisURL(addr, redisAdminUser, s.secret, 0), 0)
	pc := redis.NewClient(po)
	password := randomHex(16)
	if err := resetRedis(ctx, pc, password); err != nil {
		unclaim()
		pc.Close()
		admin.Close()
		return "", nil, fmt.Errorf("reset the Redis server at %s: %w", addr, err)
	}
	release := func() {
		rctx, cancel := releaseCtx()
		defer cancel()
		_ = resetRedis(rctx, pc, "")
		unclaim()
		pc.Close()
		admin.Close()
	}
	return redisURL(addr, redisCheckUser, password, 0), release, nil
}

// resetRedis empties a per-check server and drops the previous check's user (which closes its
// connections, subscribers included); with a password it then makes the next check's user.
func resetRedis(ctx context.Context, c *redis.Client, password string) error {
	// A script or function left running keeps the server BUSY: stop it first (errors mean
	// there was none).
	c.Do(ctx, "SCRIPT", "KILL")
	c.Do(ctx, "FUNCTION", "KILL")
	cmds, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Do(ctx, "ACL", "DELUSER", redisCheckUser)
		p.FlushAll(ctx)
		p.Do(ctx, "FUNCTION", "FLUSH")
		p.Do(ctx, "SCRIPT", "FLUSH")
		if password != "" {
			p.Do(ctx, append([]any{"ACL", "SETUSER", redisCheckUser, "reset", "on", ">" + password}, anys(checkUserRules)...)...)
		}
		return nil
	})
	if err != nil {
		for _, c := range cmds {
			if c.Err() != nil {
				return fmt.Errorf("%s: %w", c.Name(), c.Err())
			}
		}
	}
	return err
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func withDatabase(adminURL, db string) string {
	u, err := url.Parse(adminURL)
	if err != nil {
		return adminURL
	}
	u.Path = "/" + db
	return u.String()
}

func connectPG(ctx context.Context, adminURL string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(adminURL)
	if err != nil {
		return nil, err
	}
	if cfg.ConnectTimeout == 0 || cfg.ConnectTimeout > 5*time.Second {
		cfg.ConnectTimeout = 5 * time.Second
	}
	return pgx.ConnectConfig(ctx, cfg)
}

// createDatabase creates a fresh database and a role that owns it for one check, and returns
// a URL with that role's credentials and the release.
func createDatabase(ctx context.Context, adminURL string) (string, func(), error) {
	conn, err := connectPG(ctx, adminURL)
	if err != nil {
		return "", nil, fmt.Errorf("%w: %w", errConnect, err)
	}
	closeConn := func() {
		c, cancel := releaseCtx()
		conn.Close(c)
		cancel()
	}
	lockDown(ctx, conn, adminURL)
	sweepDatabases(ctx, conn)
	name := checkDBPrefix + randomHex(8)
	id := pgx.Identifier{name}.Sanitize()
	// The role is named like the database: the advisory lock below covers both, and a sweep
	// finds a dead check's role by its database's name.
	password := randomHex(16)
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1, hashtext($2))", advisoryLockBase, name); err != nil {
		closeConn()
		return "", nil, fmt.Errorf("lock: %w", err)
	}
	ownRole := true
	_, err = conn.Exec(ctx, fmt.Sprintf("CREATE ROLE %s LOGIN PASSWORD '%s' NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS CONNECTION LIMIT %d", id, password, checkConnLimit))
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "42501" {
		// An external server whose user may not create roles: the check uses the admin user
		// (isolated from honest checks only; docs/classroom.md says what that means).
		ownRole, err = false, nil
	}
	if err != nil {
		closeConn()
		return "", nil, fmt.Errorf("create role (the user needs CREATEROLE): %w", err)
	}
	if !claimSpare(ctx, conn, name) {
		_, err = conn.Exec(ctx, "CREATE DATABASE "+id)
	}
	replenish(adminURL)
	if err == nil {
		// A spare made by an older lab may still grant CONNECT to PUBLIC: revoke it here,
		// whoever made it, before the URL leaves this function.
		hand := "REVOKE CONNECT ON DATABASE " + id + " FROM PUBLIC"
		if ownRole {
			hand = "ALTER DATABASE " + id + " OWNER TO " + id + "; " + hand
		}
		_, err = conn.Exec(ctx, hand)
	}
	release := func() {
		rctx, cancel := releaseCtx()
		defer cancel()
		_ = dropDatabase(rctx, conn, name)
		if ownRole {
			_, _ = conn.Exec(rctx, "DROP ROLE IF EXISTS "+id)
		}
		closeConn()
	}
	if err != nil {
		if ctx.Err() != nil {
			// The CREATE may have gone through; a later Acquire sweeps it (its lock is gone).
			closeConn()
			return "", nil, ctx.Err()
		}
		release()
		return "", nil, fmt.Errorf("create database (the user needs CREATEDB): %w", err)
	}
	u := withDatabase(adminURL, name)
	if ownRole {
		u = withUser(u, name, password)
	}
	return u, release, nil
}

// withUser replaces a URL's credentials.
func withUser(raw, user, password string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.User = url.UserPassword(user, password)
	return u.String()
}

var lockedDown sync.Map // admin URL -> struct{}: servers whose databases were locked down

// lockDown revokes CONNECT from PUBLIC on every database that still grants it (postgres, lab,
// template1, spares made by an older lab), once per server and process: the check roles then
// reach only the database they own. Errors are left to the statements that follow.
func lockDown(ctx context.Context, conn *pgx.Conn, adminURL string) {
	if _, done := lockedDown.Load(adminURL); done {
		return
	}
	_, err := conn.Exec(ctx, `DO $$
DECLARE d text;
BEGIN
	FOR d IN SELECT datname FROM pg_database WHERE datallowconn AND has_database_privilege('public', oid, 'CONNECT') LOOP
		EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM PUBLIC', d);
	END LOOP;
END $$`)
	if err == nil {
		lockedDown.Store(adminURL, struct{}{})
	}
}

func dropDatabase(ctx context.Context, conn *pgx.Conn, name string) error {
	id := pgx.Identifier{name}.Sanitize()
	_, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+id+" WITH (FORCE)")
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "42601" { // PostgreSQL < 13: no WITH (FORCE)
		_, _ = conn.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", name)
		_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+id)
	}
	return err
}

// Spare databases: CREATE DATABASE copies template1 and costs 0.1-0.8 s on a busy machine, so
// each Acquire renames a spare made earlier (ALTER DATABASE ... RENAME is a catalog update)
// and makes a new spare in the background, while the check runs.
const (
	spareDBPrefix = "lab_s_"
	spares        = 2
)

var replenishing sync.Map // admin URL -> struct{}: one background top-up per server at a time

// claimSpare renames a spare to name; false when there is none (or all were taken meanwhile).
func claimSpare(ctx context.Context, conn *pgx.Conn, name string) bool {
	rows, err := conn.Query(ctx, `SELECT datname FROM pg_database WHERE datname LIKE 'lab\_s\_%' ORDER BY random()`)
	if err != nil {
		return false
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return false
	}
	for _, s := range names {
		// Fails when another check renamed it first, or is connected to it: try the next.
		if _, err := conn.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{s}.Sanitize()+" RENAME TO "+pgx.Identifier{name}.Sanitize()); err == nil {
			return true
		}
	}
	return false
}

// replenish tops the spares up to spares in the background.
func replenish(adminURL string) {
	if _, busy := replenishing.LoadOrStore(adminURL, struct{}{}); busy {
		return
	}
	go func() {
		defer replenishing.Delete(adminURL)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		conn, err := connectPG(ctx, adminURL)
		if err != nil {
			return
		}
		defer conn.Close(context.Background())
		var n int
		if conn.QueryRow(ctx, `SELECT count(*) FROM pg_database WHERE datname LIKE 'lab\_s\_%'`).Scan(&n) != nil {
			return
		}
		for ; n < spares; n++ {
			id := pgx.Identifier{spareDBPrefix + randomHex(8)}.Sanitize()
			if _, err := conn.Exec(ctx, "CREATE DATABASE "+id); err != nil {
				return
			}
			if _, err := conn.Exec(ctx, "REVOKE CONNECT ON DATABASE "+id+" FROM PUBLIC"); err != nil {
				return
			}
		}
	}()
}

// sweepDatabases drops the databases and roles of checks that are gone (nobody holds their
// lock).
func sweepDatabases(ctx context.Context, conn *pgx.Conn) {
	rows, err := conn.Query(ctx, `SELECT datname FROM pg_database WHERE datname LIKE 'lab\_c\_%'
		UNION SELECT rolname FROM pg_roles WHERE rolname LIKE 'lab\_c\_%'`)
	if err != nil {
		return
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return
	}
	for _, n := range names {
		var got bool
		if conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1, hashtext($2))", advisoryLockBase, n).Scan(&got) != nil || !got {
			continue
		}
		_ = dropDatabase(ctx, conn, n)
		_, _ = conn.Exec(ctx, "DROP ROLE IF EXISTS "+pgx.Identifier{n}.Sanitize())
		_, _ = conn.Exec(ctx, "SELECT pg_advisory_unlock($1, hashtext($2))", advisoryLockBase, n)
	}
}

// ensureDatabase creates db if missing and returns its URL.
func ensureDatabase(ctx context.Context, adminURL, db string) (string, error) {
	conn, err := connectPG(ctx, adminURL)
	if err != nil {
		return "", fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.Background())
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", db).Scan(&exists); err != nil {
		return "", err
	}
	if !exists {
		_, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{db}.Sanitize())
		var pe *pgconn.PgError
		if err != nil && !(errors.As(err, &pe) && pe.Code == "42P04") {
			return "", fmt.Errorf("create database %s: %w", db, err)
		}
		_, _ = conn.Exec(ctx, "REVOKE CONNECT ON DATABASE "+pgx.Identifier{db}.Sanitize()+" FROM PUBLIC")
	}
	return withDatabase(adminURL, db), nil
}

// pingRedis and pingPostgres answer whether a server is up, quickly.
func pingRedis(ctx context.Context, adminURL string) error {
	o, err := redisOptions(adminURL, 0)
	if err != nil {
		return err
	}
	o.PoolSize = 1
	o.MaxRetries = 0
	c := redis.NewClient(o)
	defer c.Close()
	return c.Ping(ctx).Err()
}

func pingPostgres(ctx context.Context, adminURL string) error {
	conn, err := connectPG(ctx, adminURL)
	if err != nil {
		return err
	}
	return conn.Close(ctx)
}
