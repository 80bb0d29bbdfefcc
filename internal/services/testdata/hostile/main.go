// Command hostile is what a hostile submission does with the services its check was given: it
// flushes every Redis it can reach, lists and deletes keys, tries the server's admin commands,
// logs in to the other per-check servers, and reads the other checks' PostgreSQL databases.
// services_test.go runs it beside an honest check and asserts that none of it reaches that
// check. Each attempt prints one line: "<attack> ok" when the server let it through, or
// "<attack> refused: <error>".
//
// Env: REDIS_URL and DATABASE_URL (its own, as a check gets them); OTHER_REDIS, space-separated
// host:port of the other servers a port scan would find.
package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
)

var ctx, _ = context.WithTimeout(context.Background(), 60*time.Second)

func report(attack string, err error) {
	if err != nil {
		fmt.Printf("%s refused: %s\n", attack, strings.ReplaceAll(err.Error(), "\n", " "))
		return
	}
	fmt.Printf("%s ok\n", attack)
}

func main() {
	if u := os.Getenv("REDIS_URL"); u != "" {
		attackRedis(u)
	}
	if u := os.Getenv("DATABASE_URL"); u != "" {
		attackPostgres(u)
	}
}

func attackRedis(own string) {
	o, err := redis.ParseURL(own)
	if err != nil {
		panic(err)
	}
	c := redis.NewClient(o)
	// Harmless on a server of its own; fatal to its neighbours on a shared one.
	for range 20 {
		c.FlushAll(ctx)
		c.Keys(ctx, "*")
	}
	for range 50 {
		c.Publish(ctx, "news", "forged")
	}
	report("redis publish news (own server)", c.Publish(ctx, "news", "forged").Err())
	report("redis flushall (own server)", c.FlushAll(ctx).Err())
	report("redis keys * (own server)", c.Keys(ctx, "*").Err())
	for db := range 16 {
		o2 := *o
		o2.DB = db
		d := redis.NewClient(&o2)
		report(fmt.Sprintf("redis select %d + flushdb", db), d.FlushDB(ctx).Err())
		d.Close()
	}
	report("redis config set", c.ConfigSet(ctx, "maxmemory", "1").Err())
	report("redis config get requirepass", c.ConfigGet(ctx, "requirepass").Err())
	report("redis acl setuser", c.Do(ctx, "ACL", "SETUSER", "evil", "on", "nopass", "+@all", "~*").Err())
	report("redis acl list", c.Do(ctx, "ACL", "LIST").Err())
	report("redis debug sleep", c.Do(ctx, "DEBUG", "SLEEP", "0").Err())
	report("redis module load", c.Do(ctx, "MODULE", "LOAD", "/tmp/x.so").Err())
	report("redis replicaof", c.Do(ctx, "REPLICAOF", "127.0.0.1", "1").Err())
	report("redis client kill", c.Do(ctx, "CLIENT", "KILL", "TYPE", "normal").Err())
	report("redis monitor", c.Do(ctx, "MONITOR").Err())
	report("redis shutdown", c.Do(ctx, "SHUTDOWN", "NOSAVE").Err())
	c.Close()

	// Other servers, with its own credentials, the admin user without and with a guess, and
	// no credentials at all.
	for _, addr := range strings.Fields(os.Getenv("OTHER_REDIS")) {
		for _, cred := range []struct{ user, pass string }{{o.Username, o.Password}, {"lab", ""}, {"lab", "lab"}, {"", ""}} {
			d := redis.NewClient(&redis.Options{Addr: addr, Username: cred.user, Password: cred.pass, MaxRetries: -1, Protocol: 2, DisableIdentity: true})
			err := d.Ping(ctx).Err()
			if err == nil {
				err = d.FlushAll(ctx).Err()
			}
			report(fmt.Sprintf("redis other server %s as %q: flushall", addr, cred.user), err)
			d.Close()
		}
	}
}

func attackPostgres(own string) {
	conn, err := pgx.Connect(ctx, own)
	if err != nil {
		panic(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT datname FROM pg_database WHERE datallowconn AND datname <> current_database()")
	if err != nil {
		panic(err)
	}
	others, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		panic(err)
	}
	for _, db := range others {
		u, _ := url.Parse(own)
		u.Path = "/" + db
		err := try(u.String(), "SELECT count(*) FROM pg_tables")
		report(fmt.Sprintf("postgres connect to %s as own role", db), err)
		u.User = url.UserPassword("lab", "lab")
		report(fmt.Sprintf("postgres connect to %s as lab/lab", db), try(u.String(), "SELECT 1"))
		u.User = url.User("postgres")
		report(fmt.Sprintf("postgres connect to %s as postgres", db), try(u.String(), "SELECT 1"))
	}
	for _, q := range []string{
		"CREATE ROLE evil LOGIN SUPERUSER PASSWORD 'x'",
		"ALTER ROLE CURRENT_USER SUPERUSER",
		"ALTER ROLE CURRENT_USER CREATEDB",
		"CREATE DATABASE evil",
		"COPY (SELECT 1) TO PROGRAM 'true'",
		"SELECT pg_read_file('/etc/passwd')",
		"CREATE EXTENSION dblink",
	} {
		_, err := conn.Exec(ctx, q)
		report("postgres "+q, err)
	}
}

func try(u, q string) error {
	c, err := pgx.Connect(ctx, u)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	_, err = c.Exec(ctx, q)
	return err
}
