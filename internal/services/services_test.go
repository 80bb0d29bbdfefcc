package services

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/moby/moby/client"
	"github.com/redis/go-redis/v9"
	"github.com/testcontainers/testcontainers-go"
)

// These tests run real servers: Docker containers (the default images, or the offline
// learnlab/*-local builds when the defaults are absent; see scripts/ci-services.sh), local
// redis-server/postgres binaries, and the external path pointed at those. They do not skip
// when Docker or the binaries are missing: they fail and say what to install. Set
// LAB_TEST_NO_DOCKER=1 or LAB_TEST_NO_LOCAL=1 to leave a provider out on purpose.

func TestMain(m *testing.M) {
	if h := os.Getenv("LAB_SERVICES_TEST_HELPER"); h != "" {
		os.Exit(helper(h))
	}
	os.Exit(m.Run())
}

// testDocker returns Docker options private to this test (names and a label), and removes the
// test's containers at the end.
func testDocker(t *testing.T) DockerOptions {
	t.Helper()
	if os.Getenv("LAB_TEST_NO_DOCKER") == "1" {
		t.Skip("LAB_TEST_NO_DOCKER=1")
	}
	ctx := context.Background()
	if err := DockerAvailable(ctx); err != nil {
		t.Fatalf("the services tests need Docker (set LAB_TEST_NO_DOCKER=1 to leave them out): %v", err)
	}
	id := randomHex(4)
	opt := DockerOptions{NamePrefix: "labtest-" + id, Labels: map[string]string{"dev.learnlab.lab.test": id}}
	t.Cleanup(func() {
		names, err := RemoveContainers(context.Background(), opt.Labels)
		if err != nil {
			t.Errorf("remove test containers: %v", err)
		}
		t.Logf("removed %v", names)
	})
	return opt
}

func testLocal(t *testing.T) {
	t.Helper()
	if os.Getenv("LAB_TEST_NO_LOCAL") == "1" {
		t.Skip("LAB_TEST_NO_LOCAL=1")
	}
	if findBinary("redis-server") == "" || findBinary("initdb") == "" {
		t.Fatal("the services tests need redis-server and postgresql installed (apt-get install redis-server postgresql), or LAB_TEST_NO_LOCAL=1")
	}
}

func envMap(env []string) map[string]string {
	m := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}

// adminURLs are the admin URLs of the servers m holds.
func adminURLs(m *Manager) map[string]string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]string{}
	for n, l := range m.servers {
		out[n] = l.srv.url
	}
	return out
}

// exercise writes through the URLs a check gets and returns a func that asserts the state is
// gone after release.
func exercise(t *testing.T, m *Manager, env []string) (afterRelease func()) {
	t.Helper()
	ctx := context.Background()
	e := envMap(env)
	admin := adminURLs(m)
	var checks []func()
	if u := e[RedisURLVar]; u != "" {
		o, err := redis.ParseURL(u)
		if err != nil {
			t.Fatal(err)
		}
		shared := m.servers[Redis].srv.pool == nil && m.servers[Redis].srv.spawn == nil
		if shared && (o.DB < 1 || o.DB > 15) {
			t.Fatalf("REDIS_URL %s on a shared server: want a database 1..15", redact(u))
		}
		if !shared && (o.Username != redisCheckUser || o.Password == "") {
			t.Fatalf("REDIS_URL %s: want the user %q with a password", redact(u), redisCheckUser)
		}
		c := redis.NewClient(o)
		if n, err := c.DBSize(ctx).Result(); err != nil || n != 0 {
			t.Fatalf("fresh redis db %d: size %d, %v", o.DB, n, err)
		}
		if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
			t.Fatal(err)
		}
		checks = append(checks, func() {
			defer c.Close()
			if !shared {
				// The check's user (or its whole server) is gone with it.
				if err := c.Ping(ctx).Err(); err == nil {
					t.Errorf("the check's Redis URL still answers after release")
				}
				return
			}
			if n, err := c.DBSize(ctx).Result(); err != nil || n != 0 {
				t.Errorf("redis db %d after release: size %d, %v", o.DB, n, err)
			}
			ao, _ := redis.ParseURL(admin[Redis])
			a := redis.NewClient(ao)
			defer a.Close()
			if n, _ := a.Exists(ctx, claimPrefix+strconv.Itoa(o.DB)).Result(); n != 0 {
				t.Errorf("claim of db %d still held after release", o.DB)
			}
		})
	}
	if u := e[DatabaseURLVar]; u != "" {
		conn, err := pgx.Connect(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		db := conn.Config().Database
		if !strings.HasPrefix(db, checkDBPrefix) || conn.Config().User != db {
			t.Fatalf("DATABASE_URL %s: want a %s* database and a role of the same name", redact(u), checkDBPrefix)
		}
		if _, err := conn.Exec(ctx, "CREATE TABLE t (id int); INSERT INTO t VALUES (1)"); err != nil {
			t.Fatal(err)
		}
		// An open connection must not block the drop (WITH (FORCE)).
		checks = append(checks, func() {
			defer conn.Close(ctx)
			a, err := pgx.Connect(ctx, admin[Postgres])
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close(ctx)
			var n int
			a.QueryRow(ctx, "SELECT (SELECT count(*) FROM pg_database WHERE datname = $1) + (SELECT count(*) FROM pg_roles WHERE rolname = $1)", db).Scan(&n)
			if n != 0 {
				t.Errorf("database or role %s still exists after release", db)
			}
		})
	}
	return func() {
		for _, c := range checks {
			c()
		}
	}
}

// acquireTwice checks isolation between two concurrent checks and reports the timings.
func acquireTwice(t *testing.T, m *Manager, names []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	t0 := time.Now()
	env1, rel1, err := m.Acquire(ctx, names)
	if err != nil {
		t.Fatal(err)
	}
	first := time.Since(t0)
	after1 := exercise(t, m, env1)
	t1 := time.Now()
	env2, rel2, err := m.Acquire(ctx, names)
	if err != nil {
		t.Fatal(err)
	}
	second := time.Since(t1)
	if a, b := envMap(env1), envMap(env2); a[RedisURLVar] == b[RedisURLVar] && a[RedisURLVar] != "" || a[DatabaseURLVar] == b[DatabaseURLVar] && a[DatabaseURLVar] != "" {
		t.Fatalf("two checks got the same state: %v and %v", env1, env2)
	}
	after2 := exercise(t, m, env2)
	t2 := time.Now()
	rel1()
	rel1() // idempotent
	rel2()
	t.Logf("%s via %s: first acquire %v, concurrent re-acquire %v, two releases %v", names, m.Mode(), first.Round(time.Millisecond), second.Round(time.Millisecond), time.Since(t2).Round(time.Millisecond))
	after1()
	after2()
}

func TestDocker(t *testing.T) {
	dopt := testDocker(t)
	names := []string{Redis, Postgres}
	m := New(Options{Mode: ModeDocker, Docker: dopt, Logf: t.Logf})
	acquireTwice(t, m, names)
	t.Run("isolation", func(t *testing.T) { testIsolation(t, m) })

	// A new Manager stands for the next `lab check` process: it finds the running containers
	// (one list call and a ping) instead of starting them.
	for i := range 3 {
		m2 := New(Options{Mode: ModeDocker, Docker: dopt, Logf: t.Logf})
		t0 := time.Now()
		env, rel, err := m2.Acquire(context.Background(), names)
		if err != nil {
			t.Fatal(err)
		}
		d := time.Since(t0)
		t1 := time.Now()
		rel()
		t.Logf("re-acquire %d with reused containers (new manager): %v, release %v", i, d.Round(time.Millisecond), time.Since(t1).Round(time.Millisecond))
		_ = env
		m2.Close()
	}
	cs, err := Containers(context.Background(), dopt.Labels)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 {
		t.Fatalf("want the 2 reused containers, got %+v", cs)
	}
	for _, c := range cs {
		if !strings.HasPrefix(c.Name, dopt.NamePrefix+"-") || c.State != "running" {
			t.Errorf("unexpected container %+v", c)
		}
	}

	// Manual use: db 0 and the database "lab".
	srv, err := m.Servers(context.Background(), names)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range srv {
		if !s.Persistent || !(strings.HasSuffix(s.URL, "/0") || strings.Contains(s.URL, "/lab?")) {
			t.Errorf("manual server %+v", s)
		}
	}
	t.Logf("env:\n%s", strings.Join(EnvLines(srv), "\n"))
	m.Close()

	// `lab services down`: everything with the label goes.
	if _, err := RemoveContainers(context.Background(), dopt.Labels); err != nil {
		t.Fatal(err)
	}
	if cs, _ := Containers(context.Background(), dopt.Labels); len(cs) != 0 {
		t.Fatalf("containers left after down: %+v", cs)
	}
}

func TestLocal(t *testing.T) {
	testLocal(t)
	m := New(Options{Mode: ModeLocal})
	defer m.Close()
	// A third check keeps the servers up while the after-release state is checked.
	_, hold, err := m.Acquire(context.Background(), []string{Redis, Postgres})
	if err != nil {
		t.Fatal(err)
	}
	acquireTwice(t, m, []string{Redis, Postgres})
	t.Run("isolation", func(t *testing.T) { testIsolation(t, m) })
	if left := leftovers(os.Getpid()); len(left) == 0 {
		t.Fatal("no local server processes found while a check holds them")
	}
	hold()
	// The last release stopped the processes and removed their data.
	if left := leftovers(os.Getpid()); len(left) != 0 {
		t.Fatalf("processes left after release: %v", left)
	}
	if d, _ := filepath.Glob(filepath.Join(os.TempDir(), fmt.Sprintf("lab-services-%d-*", os.Getpid()))); len(d) != 0 {
		t.Fatalf("data dirs left after release: %v", d)
	}
}

func TestExternal(t *testing.T) {
	testLocal(t)
	// Run servers the way a learner would, then point lab at them.
	up := New(Options{Mode: ModeLocal})
	defer up.Close()
	srv, err := up.Servers(context.Background(), []string{Redis, Postgres})
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"LAB_SERVICES": "auto"}
	for _, s := range srv {
		if s.Service == Redis {
			env["LAB_REDIS_URL"] = s.URL
		} else {
			env["LAB_DATABASE_URL"] = s.URL
		}
	}
	// Auto mode prefers the URLs the learner set.
	m := New(Options{Getenv: func(k string) string { return env[k] }})
	acquireTwice(t, m, []string{Redis, Postgres})
	if l := m.servers[Redis]; l == nil || l.srv.via != ModeExternal {
		t.Errorf("auto mode did not pick the external URL: %+v", l)
	}

	// A wrong URL is an error that names it, not a silent fallback to Docker.
	env["LAB_REDIS_URL"] = "redis://127.0.0.1:1/0"
	_, _, err = New(Options{Getenv: func(k string) string { return env[k] }}).Acquire(context.Background(), []string{Redis})
	if err == nil || !strings.Contains(err.Error(), "LAB_REDIS_URL=redis://127.0.0.1:1/0 does not answer") {
		t.Fatalf("want a LAB_REDIS_URL error, got %v", err)
	}
}

// TestNothingWorks runs a check in a process with no Docker and no binaries and checks the one
// message: what was tried, why it failed, what to do.
func TestNothingWorks(t *testing.T) {
	out, err := runHelper(t, "nothing", []string{"DOCKER_HOST=unix:///nonexistent/docker.sock", "PATH=" + t.TempDir(), "LAB_SERVICES=auto"}, 10*time.Second)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{
		"this lab needs redis and postgres, and no way to run it worked here:",
		"docker redis: no Docker engine is running (tried unix:///nonexistent/docker.sock)",
		"local redis: redis-server is not installed",
		"local postgres: initdb/postgres are not installed",
		"external redis: LAB_REDIS_URL is not set",
		"external postgres: LAB_DATABASE_URL is not set",
		"start Docker (`sudo systemctl start docker`, or open Docker Desktop)",
		"sudo apt-get install redis-server postgresql",
		"export LAB_REDIS_URL=redis://localhost:6379 LAB_DATABASE_URL=postgres://",
		"is-unavailable=true",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("message lacks %q:\n%s", want, out)
		}
	}
	t.Logf("\n%s", out)
}

// TestInterruptLocal: SIGINT to a process holding local servers (while they start, and once they
// run) leaves no process and no data dir; SIGKILL leaves no process either (parent-death signal)
// and the next run sweeps the dir.
func TestInterruptLocal(t *testing.T) {
	testLocal(t)
	env := []string{"LAB_SERVICES=local"}
	for _, tc := range []struct {
		name  string
		when  string // "starting" or "ready"
		sig   syscall.Signal
		clean bool // the process cleans its dirs itself
	}{
		{"sigint-while-starting", "starting", syscall.SIGINT, true},
		{"sigint-when-ready", "ready", syscall.SIGINT, true},
		{"sigkill-when-ready", "ready", syscall.SIGKILL, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pid := interrupt(t, env, tc.when, tc.sig)
			deadline := time.Now().Add(10 * time.Second)
			for len(leftovers(pid)) > 0 && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			if left := leftovers(pid); len(left) > 0 {
				t.Fatalf("processes left: %v", left)
			}
			pattern := filepath.Join(os.TempDir(), fmt.Sprintf("lab-services-%d-*", pid))
			if !tc.clean {
				sweepStaleDirs()
			}
			if d, _ := filepath.Glob(pattern); len(d) != 0 {
				t.Fatalf("data dirs left: %v", d)
			}
		})
	}
}

// TestInterruptDocker: SIGINT to a check holding containers releases its Redis claim and drops
// its database; the only containers left are the named ones kept for reuse. After SIGKILL the
// next Acquire drops the dead check's database.
func TestInterruptDocker(t *testing.T) {
	dopt := testDocker(t)
	env := []string{"LAB_SERVICES=docker", "LAB_TEST_PREFIX=" + dopt.NamePrefix, "LAB_TEST_LABEL=" + dopt.Labels["dev.learnlab.lab.test"]}
	// While the containers are being created.
	interrupt(t, env, "starting", syscall.SIGINT)
	assertOnlyReusable(t, dopt)

	m := New(Options{Mode: ModeDocker, Docker: dopt, Logf: t.Logf})
	defer m.Close()
	srv, err := m.Servers(context.Background(), []string{Redis, Postgres})
	if err != nil {
		t.Fatal(err)
	}
	admin := map[string]string{}
	for _, s := range srv {
		admin[s.Service] = s.URL
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGKILL} {
		out := interruptOut(t, env, "ready", sig)
		e := envMap(strings.Fields(out))
		if sig == syscall.SIGKILL {
			// The next check sweeps the dead one's database.
			_, rel, err := m.Acquire(context.Background(), []string{Postgres})
			if err != nil {
				t.Fatal(err)
			}
			rel()
		}
		assertGone(t, e, admin, sig)
	}
	assertOnlyReusable(t, dopt)
}

func assertOnlyReusable(t *testing.T, dopt DockerOptions) {
	t.Helper()
	cs, err := Containers(context.Background(), dopt.Labels)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if !strings.HasPrefix(c.Name, dopt.NamePrefix+"-") {
			t.Errorf("unexpected container %+v", c)
		}
	}
	t.Logf("containers after interrupt: %+v", cs)
}

func assertGone(t *testing.T, e, admin map[string]string, sig syscall.Signal) {
	t.Helper()
	ctx := context.Background()
	if u := e[DatabaseURLVar]; u != "" {
		cfg, _ := pgx.ParseConfig(u)
		conn, err := pgx.Connect(ctx, withDatabase(admin[Postgres], "postgres"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		var n int
		conn.QueryRow(ctx, "SELECT count(*) FROM pg_database WHERE datname = $1", cfg.Database).Scan(&n)
		if n != 0 {
			t.Errorf("%v: database %s left", sig, cfg.Database)
		}
	} else {
		t.Errorf("%v: helper gave no DATABASE_URL", sig)
	}
	if u := e[RedisURLVar]; u != "" && sig == syscall.SIGINT {
		// The check's user went with its release: its URL no longer gets in.
		o, _ := redis.ParseURL(u)
		c := redis.NewClient(o)
		defer c.Close()
		if err := c.Ping(ctx).Err(); err == nil {
			t.Errorf("%v: the check's Redis URL still answers", sig)
		}
	}
}

// leftovers lists live processes started for the lab process pid: they all carry
// HOME=<tmp>/lab-services-<pid>-... in their environment (postgres' forked backends too).
func leftovers(pid int) []string {
	mark := []byte(fmt.Sprintf("lab-services-%d-", pid))
	var out []string
	procs, _ := filepath.Glob("/proc/[0-9]*")
	for _, p := range procs {
		b, err := os.ReadFile(p + "/environ")
		if err != nil || !strings.Contains(string(b), string(mark)) {
			continue
		}
		stat, _ := os.ReadFile(p + "/stat")
		if strings.Contains(string(stat), ") Z ") { // a zombie is dead; its parent reaps it
			continue
		}
		cmd, _ := os.ReadFile(p + "/cmdline")
		out = append(out, filepath.Base(p)+" "+strings.ReplaceAll(string(cmd), "\x00", " "))
	}
	return out
}

func interrupt(t *testing.T, env []string, when string, sig syscall.Signal) int {
	pid, _ := interruptRun(t, env, when, sig)
	return pid
}

func interruptOut(t *testing.T, env []string, when string, sig syscall.Signal) string {
	_, out := interruptRun(t, env, when, sig)
	return out
}

// interruptRun starts a helper that acquires redis and postgres, signals it when it prints
// when ("starting" or "ready"), and waits for it to exit. It returns the helper's pid and the
// env it printed.
func interruptRun(t *testing.T, env []string, when string, sig syscall.Signal) (int, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append(env, "LAB_SERVICES_TEST_HELPER=hold")...)
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	var envLine string
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "env ") {
			envLine = strings.TrimPrefix(line, "env ")
		}
		if line == when {
			if when == "starting" {
				time.Sleep(300 * time.Millisecond) // inside initdb / container creation
			}
			cmd.Process.Signal(sig)
			break
		}
	}
	go func() {
		for sc.Scan() {
		}
	}()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if err != nil && !(errors.As(err, &ee) && (sig == syscall.SIGKILL || ee.ExitCode() == 130)) {
			t.Fatalf("helper: %v", err)
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("helper did not exit within 30s of the signal")
	}
	return cmd.Process.Pid, envLine
}

func runHelper(t *testing.T, mode string, env []string, timeout time.Duration) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append(env, "LAB_SERVICES_TEST_HELPER="+mode)...)
	b, err := cmd.CombinedOutput()
	return string(b), err
}

// helper is the body of a helper process: a stand-in for `lab check` holding services.
func helper(mode string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch mode {
	case "nothing":
		postgresDirs = nil
		dialDocker = func(ctx context.Context) (*testcontainers.DockerClient, error) {
			return testcontainers.NewDockerClientWithOpts(ctx, client.WithHost(os.Getenv("DOCKER_HOST")))
		}
		t0 := time.Now()
		_, _, err := New(Options{}).Acquire(ctx, []string{Redis, Postgres})
		fmt.Println(err)
		fmt.Printf("is-unavailable=%v after %v\n", errors.Is(err, ErrUnavailable), time.Since(t0).Round(time.Millisecond))
		return 0
	case "hold":
		opt := Options{}
		if p := os.Getenv("LAB_TEST_PREFIX"); p != "" {
			opt.Docker = DockerOptions{NamePrefix: p, Labels: map[string]string{"dev.learnlab.lab.test": os.Getenv("LAB_TEST_LABEL")}}
		}
		m := New(opt)
		defer m.Close()
		fmt.Println("starting")
		env, release, err := m.Acquire(ctx, []string{Redis, Postgres})
		if err != nil {
			fmt.Fprintln(os.Stderr, "acquire:", err)
			if ctx.Err() != nil {
				return 130
			}
			return 1
		}
		var once sync.Once
		defer once.Do(release)
		b, _ := json.Marshal(env)
		_ = b
		fmt.Println("env " + strings.Join(env, " "))
		fmt.Println("ready")
		<-ctx.Done()
		once.Do(release)
		return 130
	}
	return 2
}
