package services

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
)

// Attack 6 of issue 13: a check runs testdata/hostile (FLUSHALL, KEYS *, SELECT+FLUSHDB of
// every database, Redis admin commands, logins to the other Redis servers, connections to
// every other PostgreSQL database) while an honest check writes, reads and listens beside it.
// The honest check must see none of it, and every attack that reaches beyond the hostile
// check's own data must be refused.

// harmless are the attacks a check may run on its own server: they touch its own data only.
var harmless = []string{"redis publish news (own server)", "redis flushall (own server)", "redis keys * (own server)"}

func testIsolation(t *testing.T, m *Manager) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	bin := filepath.Join(t.TempDir(), "hostile")
	if out, err := exec.Command("go", "build", "-o", bin, "./testdata/hostile").CombinedOutput(); err != nil {
		t.Fatalf("build testdata/hostile: %v\n%s", err, out)
	}
	names := []string{Redis, Postgres}
	honestEnv, relHonest, err := m.Acquire(ctx, names)
	if err != nil {
		t.Fatal(err)
	}
	defer relHonest()
	hostileEnv, relHostile, err := m.Acquire(ctx, names)
	if err != nil {
		t.Fatal(err)
	}
	defer relHostile()
	honest, hostile := envMap(honestEnv), envMap(hostileEnv)

	// The honest check: a key, a table, a subscriber, and a loop that writes and reads back.
	ro, _ := redis.ParseURL(honest[RedisURLVar])
	rc := redis.NewClient(ro)
	defer rc.Close()
	if err := rc.Set(ctx, "honest", "kept", 0).Err(); err != nil {
		t.Fatal(err)
	}
	sub := rc.Subscribe(ctx, "news")
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil {
		t.Fatal(err)
	}
	pg, err := pgx.Connect(ctx, honest[DatabaseURLVar])
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close(ctx)
	if _, err := pg.Exec(ctx, "CREATE TABLE secrets (v text); INSERT INTO secrets VALUES ('kept')"); err != nil {
		t.Fatal(err)
	}
	var (
		stop    = make(chan struct{})
		wg      sync.WaitGroup
		rounds  atomic.Int64
		honestE []string
		mu      sync.Mutex
	)
	fail := func(format string, err error) {
		mu.Lock()
		defer mu.Unlock()
		if len(honestE) < 5 {
			honestE = append(honestE, format+": "+err.Error())
		}
	}
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			k := "k" + strings.Repeat("x", i%7)
			if err := rc.Set(ctx, k, i, 0).Err(); err != nil {
				fail("redis set", err)
			} else if got, err := rc.Get(ctx, k).Int(); err != nil || got != i {
				fail("redis get back", err)
			}
			if _, err := pg.Exec(ctx, "INSERT INTO secrets VALUES ('x')"); err != nil {
				fail("postgres insert", err)
			}
			rounds.Add(1)
			time.Sleep(2 * time.Millisecond)
		}
	})

	// The hostile check, with the host:port of every other Redis a port scan would find.
	var others []string
	if s := m.servers[Redis].srv; len(s.pool) > 0 {
		for _, hp := range s.pool {
			if !strings.Contains(hostile[RedisURLVar], "@"+hp+"/") {
				others = append(others, hp)
			}
		}
	} else {
		others = append(others, ro.Addr, hostPort(s.url))
	}
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = append(os.Environ(), RedisURLVar+"="+hostile[RedisURLVar], DatabaseURLVar+"="+hostile[DatabaseURLVar], "OTHER_REDIS="+strings.Join(others, " "))
	out, err := cmd.CombinedOutput()
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("hostile: %v\n%s", err, out)
	}
	var refused, let int
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		attack, ok := strings.CutSuffix(line, " ok")
		switch {
		case ok && (slices.Contains(harmless, attack) || strings.HasPrefix(attack, "redis select ")):
			let++ // its own server
		case ok:
			t.Errorf("not refused: %s", attack)
		case strings.Contains(line, " refused: "):
			refused++
		default:
			t.Errorf("unexpected line from hostile: %q", line)
		}
	}
	if refused < 20 || !strings.Contains(string(out), "postgres connect to lab_c_") {
		t.Errorf("hostile tried too little (%d refused, must include the honest check's database):\n%s", refused, out)
	}
	t.Logf("hostile: %d attacks refused, %d on its own data let through; honest check: %d rounds beside it", refused, let, rounds.Load())

	// The honest check saw nothing of it.
	if len(honestE) > 0 {
		t.Errorf("the honest check failed while the hostile one ran: %v", honestE)
	}
	if v, err := rc.Get(ctx, "honest").Result(); err != nil || v != "kept" {
		t.Errorf("honest key after the hostile check: %q, %v", v, err)
	}
	select {
	case msg := <-sub.Channel():
		t.Errorf("the honest subscriber got the hostile check's message %q", msg.Payload)
	case <-time.After(200 * time.Millisecond):
	}
	var kept int
	if err := pg.QueryRow(ctx, "SELECT count(*) FROM secrets WHERE v = 'kept'").Scan(&kept); err != nil || kept != 1 {
		t.Errorf("honest table after the hostile check: %d rows, %v", kept, err)
	}
}
