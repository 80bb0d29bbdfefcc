package services

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/learnlab/lab/internal/runner"
)

// The local provider runs redis-server and postgres from the machine's packages. Each server is
// started when the first check of this process needs it and stopped when the last one releases
// it (or at Close), so a check's processes die with it:
//   - in their own process group (a terminal's Ctrl-C reaches lab, which stops them in order),
//   - with a parent-death signal (SIGKILL) so they die even when lab is killed with -9,
//   - as nobody when lab runs as root (postgres refuses root), on a free port of 127.0.0.1,
//     with data in a temp dir lab-services-<pid>-* that is removed at stop (and swept by the
//     next run when a killed lab could not).
//
// `lab services up` with this provider keeps them until Ctrl-C and writes a state file so
// checks and `lab services env` in other terminals use those servers instead of starting new
// ones.

type localProvider struct {
	getenv func(string) string
}

func newLocalProvider(opt Options) *localProvider { return &localProvider{getenv: opt.Getenv} }

func (p *localProvider) name() string { return ModeLocal }
func (p *localProvider) keeps() bool  { return false }

type localProc struct {
	cmd  *exec.Cmd
	dir  string
	done chan struct{} // closed when the process has been waited for
	sig  syscall.Signal
}

func (p *localProvider) check(ctx context.Context, s *server) error {
	if lp, ok := s.handle.(*localProc); ok {
		select {
		case <-lp.done:
			return errors.New("process exited")
		default:
		}
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	return ping(ctx, s.service, s.url)
}

func (p *localProvider) stop(s *server) {
	lp, ok := s.handle.(*localProc)
	if !ok {
		return // a server of `lab services up` in another process: not ours
	}
	lp.stop()
}

func (lp *localProc) stop() {
	pid := lp.cmd.Process.Pid
	_ = syscall.Kill(-pid, lp.sig) // the whole group: postgres' backends too
	select {
	case <-lp.done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		<-lp.done
	}
	_ = syscall.Kill(-pid, syscall.SIGKILL) // stragglers of the group, if any
	_ = os.RemoveAll(lp.dir)
}

// postgresDirs are where packages put initdb and postgres (Debian, RHEL, Homebrew).
var postgresDirs = []string{"/usr/lib/postgresql/*/bin/", "/usr/pgsql-*/bin/", "/opt/homebrew/opt/postgresql@*/bin/", "/usr/local/opt/postgresql@*/bin/"}

// findBinary looks on PATH, then in the usual package locations (newest version first).
func findBinary(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if name == "redis-server" {
		return ""
	}
	var cands []string
	for _, g := range postgresDirs {
		m, _ := filepath.Glob(g + name)
		cands = append(cands, m...)
	}
	sort.Slice(cands, func(i, j int) bool { return versionOf(cands[i]) > versionOf(cands[j]) })
	for _, c := range cands {
		if st, err := os.Stat(c); err == nil && st.Mode()&0o111 != 0 {
			return c
		}
	}
	return ""
}

func versionOf(path string) int {
	for _, part := range strings.Split(path, "/") {
		part = strings.TrimPrefix(strings.TrimPrefix(part, "postgresql@"), "pgsql-")
		if n, err := strconv.Atoi(part); err == nil {
			return n
		}
	}
	return 0
}

func missing(service string) *unavailable {
	if service == Redis {
		return &unavailable{
			why: "redis-server is not installed (not on PATH)",
			fix: "install the servers: `sudo apt-get install redis-server postgresql` (Debian/Ubuntu), `brew install redis postgresql@16` (macOS)",
		}
	}
	return &unavailable{
		why: "initdb/postgres are not installed (not on PATH nor in /usr/lib/postgresql/*/bin)",
		fix: "install the servers: `sudo apt-get install redis-server postgresql` (Debian/Ubuntu), `brew install redis postgresql@16` (macOS)",
	}
}

func (p *localProvider) start(ctx context.Context, service string) (*server, error) {
	if s := upServer(ctx, service); s != nil {
		return s, nil
	}
	var bins []string
	if service == Redis {
		bins = []string{findBinary("redis-server")}
	} else {
		bins = []string{findBinary("initdb"), findBinary("postgres")}
		if bins[0] != "" && bins[1] == "" { // initdb found on PATH, postgres beside it
			if c := filepath.Join(filepath.Dir(bins[0]), "postgres"); fileExists(c) {
				bins[1] = c
			}
		}
	}
	for _, b := range bins {
		if b == "" {
			return nil, missing(service)
		}
	}
	cred, err := runAs()
	if err != nil {
		return nil, &unavailable{why: err.Error(), fix: "run lab as a normal user, or create the user nobody"}
	}
	sweepStaleDirs()
	secret := randomHex(16)
	s, err := startIn(ctx, cred, func(dir string) (*server, error) {
		if service == Redis {
			return startRedis(ctx, bins[0], dir, cred, redisAdminUser, secret, []string{"~*", "&*", "+@all"})
		}
		return startPostgres(ctx, bins[0], bins[1], dir, cred, secret)
	})
	if err != nil {
		return nil, err
	}
	if service == Redis {
		s.spawn = spawnRedis(bins[0], cred)
	}
	return s, nil
}

// startIn makes a data dir lab-services-<pid>-* (owned by cred) and starts a server in it,
// again on another port when the free port it picked was taken meanwhile.
func startIn(ctx context.Context, cred *syscall.Credential, start func(dir string) (*server, error)) (*server, error) {
	dir, err := os.MkdirTemp("", fmt.Sprintf("lab-services-%d-", os.Getpid()))
	if err != nil {
		return nil, err
	}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	var s *server
	for attempt := 0; ; attempt++ {
		s, err = start(dir)
		if err == nil || attempt == 2 || ctx.Err() != nil || !strings.Contains(err.Error(), "in use") {
			break
		}
	}
	if err != nil {
		os.RemoveAll(dir)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	return s, nil
}

// spawnRedis returns how a check gets a redis-server of its own: started for it with a user of
// its own, stopped (and its data dir removed) at release. ~10-30 ms; nothing is shared, not
// even Pub/Sub channels.
func spawnRedis(bin string, cred *syscall.Credential) func(context.Context) (string, func(), error) {
	return func(ctx context.Context) (string, func(), error) {
		password := randomHex(16)
		s, err := startIn(ctx, cred, func(dir string) (*server, error) {
			return startRedis(ctx, bin, dir, cred, redisCheckUser, password, checkUserRules)
		})
		if err != nil {
			return "", nil, err
		}
		var once sync.Once
		return s.url, func() { once.Do(s.handle.(*localProc).stop) }, nil
	}
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// runAs is the credential for child processes: nobody when lab runs as root, else nil (us).
func runAs() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("nobody")
	if err != nil {
		return nil, errors.New("lab runs as root and there is no user nobody to run postgres as")
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func command(bin string, args []string, dir string, cred *syscall.Credential, logName string) (*exec.Cmd, *os.File, error) {
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "LC_ALL=C", "LANG=C", "HOME=" + dir, "TZ=UTC"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: cred}
	dieWithParent(cmd.SysProcAttr)
	log, err := os.OpenFile(filepath.Join(dir, logName), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, nil, err
	}
	cmd.Stdout, cmd.Stderr = log, log
	return cmd, log, nil
}

func logTail(dir, name string) string {
	b, _ := os.ReadFile(filepath.Join(dir, name))
	b = bytes.TrimSpace(b)
	if len(b) > 1500 {
		b = b[len(b)-1500:]
	}
	return string(b)
}

// launch starts cmd and waits until ready answers, the process dies, or ctx ends.
func launch(ctx context.Context, cmd *exec.Cmd, log *os.File, dir string, sig syscall.Signal, ready func(context.Context) error) (*localProc, error) {
	defer log.Close()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	lp := &localProc{cmd: cmd, dir: dir, done: make(chan struct{}), sig: sig}
	go func() { _ = cmd.Wait(); close(lp.done) }()
	kill := func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-lp.done
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		rctx, cancel := context.WithTimeout(ctx, time.Second)
		err := ready(rctx)
		cancel()
		if err == nil {
			return lp, nil
		}
		select {
		case <-lp.done:
			return nil, fmt.Errorf("%s exited: %s", filepath.Base(cmd.Path), logTail(dir, filepath.Base(log.Name())))
		case <-ctx.Done():
			kill()
			return nil, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			kill()
			return nil, fmt.Errorf("%s did not answer within 30s: %v", filepath.Base(cmd.Path), err)
		}
	}
}

// startRedis starts a redis-server whose only user is user (password, ACL rules).
func startRedis(ctx context.Context, bin, dir string, cred *syscall.Credential, user, password string, rules []string) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	args := []string{
		"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", dir, "--daemonize", "no", "--databases", strconv.Itoa(redisDBs), "--loglevel", "warning",
		"--user", "default", "off", "--user", user, "on", ">" + password,
	}
	cmd, log, err := command(bin, append(args, rules...), dir, cred, "redis.log")
	if err != nil {
		return nil, err
	}
	u := redisURL(fmt.Sprintf("127.0.0.1:%d", port), user, password, 0)
	lp, err := launch(ctx, cmd, log, dir, syscall.SIGTERM, func(ctx context.Context) error { return pingRedis(ctx, u) })
	if err != nil {
		return nil, err
	}
	return &server{service: Redis, url: u, via: ModeLocal, detail: fmt.Sprintf("redis-server pid %d, %s", cmd.Process.Pid, dir), handle: lp, secret: password}, nil
}

func startPostgres(ctx context.Context, initdb, postgres, dir string, cred *syscall.Credential, secret string) (*server, error) {
	data := filepath.Join(dir, "data")
	if !fileExists(filepath.Join(data, "PG_VERSION")) {
		os.RemoveAll(data)
		// A password for every connection, the socket's too: check roles must not be able to
		// log in as the superuser.
		pwfile := filepath.Join(dir, "pwfile")
		if err := os.WriteFile(pwfile, []byte(secret+"\n"), 0o600); err != nil {
			return nil, err
		}
		if cred != nil {
			_ = os.Chown(pwfile, int(cred.Uid), int(cred.Gid))
		}
		defer os.Remove(pwfile)
		cmd, log, err := command(initdb, []string{"-D", data, "-U", pgUser, "-A", "scram-sha-256", "--pwfile", pwfile, "-E", "UTF8", "--locale=C", "--no-sync"}, dir, cred, "initdb.log")
		if err != nil {
			return nil, err
		}
		err = runCtx(ctx, cmd)
		log.Close()
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("initdb: %v: %s", err, logTail(dir, "initdb.log"))
		}
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd, log, err := command(postgres, []string{
		"-D", data, "-p", strconv.Itoa(port), "-k", dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "full_page_writes=off",
		"-c", "synchronous_commit=off", "-c", "logging_collector=off",
	}, dir, cred, "postgres.log")
	if err != nil {
		return nil, err
	}
	u := (&url.URL{Scheme: "postgres", User: url.UserPassword(pgUser, secret), Host: fmt.Sprintf("127.0.0.1:%d", port), Path: "/postgres", RawQuery: "sslmode=disable"}).String()
	// SIGINT is postgres' fast shutdown: it ends open sessions instead of waiting for them.
	lp, err := launch(ctx, cmd, log, dir, syscall.SIGINT, func(ctx context.Context) error { return pingPostgres(ctx, u) })
	if err != nil {
		return nil, err
	}
	return &server{service: Postgres, url: u, via: ModeLocal, detail: fmt.Sprintf("postgres pid %d, %s", cmd.Process.Pid, dir), handle: lp}, nil
}

// runCtx runs cmd to completion, killing its group when ctx ends.
func runCtx(ctx context.Context, cmd *exec.Cmd) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
		return ctx.Err()
	}
}

// sweepStaleDirs removes the data dirs of lab processes that died without cleaning up.
func sweepStaleDirs() { runner.SweepTempDirs("lab-services-") }

func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// LocalState is what `lab services up` with local binaries publishes for other lab processes.
type LocalState struct {
	PID      int    `json:"pid"`
	Redis    string `json:"redis,omitempty"`    // admin URL (db 0)
	Postgres string `json:"postgres,omitempty"` // admin URL (database postgres)
}

// LocalStatePath is where `lab services up` (local binaries) announces its servers.
func LocalStatePath() string {
	return filepath.Join(os.TempDir(), fmt.Sprintf("lab-services-up-%d.json", os.Getuid()))
}

// ReadLocalState returns the state of a live `lab services up`, or nil.
func ReadLocalState() *LocalState {
	b, err := os.ReadFile(LocalStatePath())
	if err != nil {
		return nil
	}
	var st LocalState
	if json.Unmarshal(b, &st) != nil || st.PID == 0 || !processAlive(st.PID) {
		return nil
	}
	return &st
}

// PublishLocal writes the state file for the servers this process runs as local binaries; the
// returned func removes it.
func (m *Manager) PublishLocal() (func(), error) {
	st := LocalState{PID: os.Getpid()}
	m.mu.Lock()
	for n, l := range m.servers {
		if _, ok := l.srv.handle.(*localProc); !ok {
			continue
		}
		if n == Redis {
			st.Redis = l.srv.url
		} else {
			st.Postgres = l.srv.url
		}
	}
	m.mu.Unlock()
	if st.Redis == "" && st.Postgres == "" {
		return func() {}, nil
	}
	b, _ := json.Marshal(st)
	tmp := LocalStatePath() + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, LocalStatePath()); err != nil {
		return nil, err
	}
	return func() {
		if cur := ReadLocalState(); cur == nil || cur.PID == os.Getpid() {
			os.Remove(LocalStatePath())
		}
	}, nil
}

// upServer returns the server of a live `lab services up` in another process, if it answers.
func upServer(ctx context.Context, service string) *server {
	st := ReadLocalState()
	if st == nil || st.PID == os.Getpid() {
		return nil
	}
	u := st.Redis
	if service == Postgres {
		u = st.Postgres
	}
	if u == "" {
		return nil
	}
	pctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	if ping(pctx, service, u) != nil {
		return nil
	}
	s := &server{service: service, url: u, via: ModeLocal, detail: fmt.Sprintf("lab services up, pid %d", st.PID)}
	if service == Redis {
		// Checks still get a redis-server of their own; the shared one is for manual use.
		if bin := findBinary("redis-server"); bin != "" {
			if cred, err := runAs(); err == nil {
				s.spawn = spawnRedis(bin, cred)
			}
		}
	}
	return s
}
