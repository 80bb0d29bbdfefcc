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

// Isolation of one check on a shared server.
//
// Redis: database numbers 1..redisDBs-1 are handed out; a check claims one with
// SET lab:claim:<n> <owner> NX EX <ttl> in db 0, refreshes the claim while it runs, FLUSHDBs the
// database before and after, and deletes the claim on release. A killed check's claim expires
// after the TTL. Db 0 is for manual use (`lab services env`).
//
// PostgreSQL: each check gets CREATE DATABASE lab_c_<random>, owned by the admin user, dropped
// WITH (FORCE) on release. The check's admin connection holds an advisory lock on the name for
// the whole check, so a database whose lock nobody holds belongs to a dead check and the next
// Acquire drops it.

const (
	redisDBs         = 16 // Redis' default "databases"
	claimPrefix      = "lab:claim:"
	manualDatabase   = "lab"
	checkDBPrefix    = "lab_c_"
	advisoryLockBase = 0x1ab // classid of lab's advisory locks
	releaseTimeout   = 10 * time.Second
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

// claimRedis claims a free database number and returns its URL and the release.
func claimRedis(ctx context.Context, adminURL string, ttl time.Duration) (string, func(), error) {
	o, err := redisOptions(adminURL, 0)
	if err != nil {
		return "", nil, err
	}
	admin := redis.NewClient(o)
	owner := claimOwner()
	start, _ := rand.Int(rand.Reader, big.NewInt(redisDBs-1))
	n := 0
	for n == 0 {
		for i := range redisDBs - 1 {
			d := 1 + (int(start.Int64())+i)%(redisDBs-1)
			ok, err := admin.SetNX(ctx, claimPrefix+strconv.Itoa(d), owner, ttl).Result()
			if err != nil {
				admin.Close()
				return "", nil, fmt.Errorf("claim a database: %w", err)
			}
			if ok {
				n = d
				break
			}
		}
		if n != 0 {
			break
		}
		select {
		case <-ctx.Done():
			admin.Close()
			return "", nil, fmt.Errorf("all %d Redis databases are claimed by other checks: %w", redisDBs-1, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
	key := claimPrefix + strconv.Itoa(n)
	flush := func(ctx context.Context) error {
		co, _ := redisOptions(adminURL, n)
		c := redis.NewClient(co)
		defer c.Close()
		return c.FlushDB(ctx).Err()
	}
	if err := flush(ctx); err != nil {
		rctx, cancel := releaseCtx()
		dropClaim.Run(rctx, admin, []string{key}, owner)
		cancel()
		admin.Close()
		return "", nil, fmt.Errorf("flush database %d: %w", n, err)
	}
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
	release := func() {
		close(stop)
		wg.Wait()
		rctx, cancel := releaseCtx()
		defer cancel()
		_ = flush(rctx)
		dropClaim.Run(rctx, admin, []string{key}, owner)
		admin.Close()
	}
	return withDB(adminURL, n), release, nil
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

// createDatabase creates a fresh database for one check and returns its URL and the release.
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
	sweepDatabases(ctx, conn)
	name := checkDBPrefix + randomHex(8)
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1, hashtext($2))", advisoryLockBase, name); err != nil {
		closeConn()
		return "", nil, fmt.Errorf("lock: %w", err)
	}
	if !claimSpare(ctx, conn, name) {
		_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	}
	replenish(adminURL)
	if err != nil {
		closeConn()
		if ctx.Err() != nil {
			// The CREATE may have gone through; a later Acquire sweeps it (its lock is gone).
			return "", nil, ctx.Err()
		}
		return "", nil, fmt.Errorf("create database (the user needs CREATEDB): %w", err)
	}
	release := func() {
		rctx, cancel := releaseCtx()
		defer cancel()
		_ = dropDatabase(rctx, conn, name)
		closeConn()
	}
	return withDatabase(adminURL, name), release, nil
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
			if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{spareDBPrefix + randomHex(8)}.Sanitize()); err != nil {
				return
			}
		}
	}()
}

// sweepDatabases drops check databases whose owner is gone (nobody holds their lock).
func sweepDatabases(ctx context.Context, conn *pgx.Conn) {
	rows, err := conn.Query(ctx, `SELECT datname FROM pg_database WHERE datname LIKE 'lab\_c\_%'`)
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
