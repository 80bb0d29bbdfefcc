package sandbox_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/learnlab/lab/internal/runner"
	"github.com/learnlab/lab/internal/sandbox"
)

var (
	hostileOnce sync.Once
	hostileBin  string
	hostileErr  error
)

// hostile compiles testdata/hostile the way the checker compiles test binaries: static, with
// CGO_ENABLED=0, outside any sandbox.
func hostile(t testing.TB) string {
	hostileOnce.Do(func() {
		dir, err := os.MkdirTemp("", "lab-sandbox-test-")
		if err != nil {
			hostileErr = err
			return
		}
		hostileBin = filepath.Join(dir, "hostile")
		cmd := exec.Command("go", "build", "-o", hostileBin, "./testdata/hostile")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			hostileErr = fmt.Errorf("build testdata/hostile: %v\n%s", err, out)
		}
	})
	if hostileErr != nil {
		t.Fatal(hostileErr)
	}
	return hostileBin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if hostileBin != "" {
		os.RemoveAll(filepath.Dir(hostileBin))
	}
	os.Exit(code)
}

// walled returns the backends with walls that work here. CI installs bubblewrap and has
// Docker: there a missing backend fails the test instead of skipping it.
func walled(t *testing.T) []sandbox.Backend {
	var out []sandbox.Backend
	for _, b := range []sandbox.Backend{&sandbox.Bwrap{}, &sandbox.Docker{}} {
		if err := b.Available(context.Background()); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("sandbox %s unavailable in CI: %v", b.Name(), err)
			}
			t.Logf("skipping the %s sandbox: %v", b.Name(), err)
			continue
		}
		out = append(out, b)
	}
	if len(out) == 0 {
		t.Skip("no sandbox backend works here (see the log)")
	}
	return out
}

// submission makes a learner folder with a sibling folder next to it (another learner's).
func submission(t testing.TB) (dir, sibling string) {
	root := t.TempDir()
	// The sandbox's uid must be able to read the submission, as with a real checkout.
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatal(err)
	}
	dir, sibling = filepath.Join(root, "alice"), filepath.Join(root, "bob")
	for _, d := range []string{dir, sibling} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "main.go"), []byte("package main\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir, sibling
}

// run runs the hostile binary in mode and returns the line it printed for that mode.
func run(t *testing.T, b sandbox.Backend, s sandbox.Spec, args ...string) (string, *sandbox.Result) {
	t.Helper()
	lines, res := runAll(t, b, s, args...)
	for _, l := range lines {
		if rest, ok := strings.CutPrefix(l, args[0]+": "); ok {
			return rest, res
		}
	}
	return "", res
}

// runAll runs the hostile binary with args and returns what it printed.
func runAll(t *testing.T, b sandbox.Backend, s sandbox.Spec, args ...string) ([]string, *sandbox.Result) {
	t.Helper()
	s.Binary = hostile(t)
	s.Args = args
	if s.Deadline == nil {
		s.Deadline = runner.NewDeadline(time.Now().Add(2 * time.Minute))
	}
	var mu sync.Mutex
	var lines []string
	s.OnLine = func(l []byte) {
		mu.Lock()
		lines = append(lines, string(l))
		mu.Unlock()
	}
	res, err := b.Run(context.Background(), s)
	if err != nil {
		t.Fatalf("%s %v: %v", b.Name(), args, err)
	}
	return lines, res
}

// echoServer answers each line with itself: a stand-in for Redis or PostgreSQL.
func echoServer(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewScanner(c)
				for r.Scan() {
					fmt.Fprintln(c, r.Text())
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// TestWalls runs one attack per case on every backend. Each case also runs without a sandbox
// ("none"), where the attack must succeed: that proves the case can tell the difference.
func TestWalls(t *testing.T) {
	dir, sibling := submission(t)
	home, _ := os.UserHomeDir()
	cache, _ := os.UserCacheDir()
	service := echoServer(t)
	other := echoServer(t) // listening on the host too, but not a service of this run
	env := []string{"FOO=bar"}
	services := map[string]string{"ECHO_URL": "tcp://" + service}

	type attack struct {
		name string
		args []string
		want string // the sandboxed result contains it; "ok" means it worked
	}
	cases := []attack{
		{"submission is read-only", []string{"write", dir}, "read-only file system"},
		{"sibling submission invisible", []string{"stat", sibling}, "no such file"},
		{"home invisible", []string{"stat", home}, "no such file"},
		{"user cache dir invisible", []string{"stat", cache}, "no such file"},
		{"tmp writable, not executable", []string{"tmp"}, "written, not executable"},
		{"service reachable", []string{"service", "ECHO_URL"}, "ok"},
		{"other host port unreachable", []string{"dial", other}, "connection refused"},
		{"internet unreachable", []string{"dial", "192.0.2.1:80"}, "network is unreachable"},
		{"text cannot become RWX", []string{"mprotect-rwx"}, "operation not permitted"},
		{"text cannot become RW", []string{"mprotect-rw"}, "operation not permitted"},
		{"rodata cannot become RW", []string{"mprotect-rodata"}, "operation not permitted"},
		{"no mprotect from below the image", []string{"mprotect-below"}, "operation not permitted"},
		{"no mapping over the text", []string{"mmap-fixed"}, "operation not permitted"},
		{"no new executable memory", []string{"mmap-exec"}, "operation not permitted"},
		{"/proc/self/mem not writable, /proc readable", []string{"procmem"}, "open /proc/self/mem: permission denied"},
		{"no ptrace", []string{"ptrace"}, "operation not permitted"},
	}
	// A host path that does not exist proves nothing about hiding it.
	cases = slices.DeleteFunc(cases, func(c attack) bool {
		if c.args[0] != "stat" {
			return false
		}
		_, err := os.Stat(c.args[1])
		if err != nil {
			t.Logf("%s: %s does not exist here, case skipped", c.name, c.args[1])
		}
		return err != nil
	})
	for _, b := range append([]sandbox.Backend{sandbox.None{}}, walled(t)...) {
		t.Run(b.Name(), func(t *testing.T) {
			got, res := run(t, b, sandbox.Spec{Dir: dir, Env: env, Services: services}, "hello", "FOO")
			if !strings.HasPrefix(got, "uid=") || !strings.Contains(got, "wd="+dir+" ") || !strings.HasSuffix(got, "env=bar") {
				t.Fatalf("hello said %q (stderr %q)", got, res.Stderr)
			}
			if b.Name() != "none" && strings.HasPrefix(got, "uid=0 ") {
				t.Errorf("the test binary runs as root: %s", got)
			}
			for _, c := range cases {
				if b.Name() == "none" {
					// A direct run must not give the sandboxed answer (the attack works, or
					// crashes the binary after it worked), or the case could not tell.
					if arg := strings.Join(c.args, " "); c.args[0] == "service" || arg == "dial 192.0.2.1:80" {
						continue // reachable, or unreachable, with or without a sandbox
					}
					if c.args[0] == "ptrace" {
						continue // PTRACE_TRACEME works directly, and then stops the binary at its next signal
					}
					if got, res := run(t, b, sandbox.Spec{Dir: dir, Env: env}, c.args...); strings.Contains(got, c.want) {
						t.Errorf("%s without a sandbox: got %q too (stderr %.200q): the case cannot tell", c.name, got, res.Stderr)
					}
					os.Remove(filepath.Join(dir, "planted.go"))
				}
			}
			if b.Name() == "none" {
				return
			}
			// One sandboxed run for all the cases: a container start costs most of a run.
			all := []string{"all"}
			for _, c := range cases {
				all = append(all, strings.Join(c.args, "="))
			}
			lines, res := runAll(t, b, sandbox.Spec{Dir: dir, Env: env, Services: services}, all...)
			for i, c := range cases {
				got := "(nothing printed)"
				if i < len(lines) {
					got = strings.TrimPrefix(lines[i], c.args[0]+": ")
				}
				if c.want == "ok" && got != "ok" || !strings.Contains(got, c.want) {
					t.Errorf("%s: got %q, want %q (stderr %q)", c.name, got, c.want, res.Stderr)
				}
			}
		})
	}
}

// lingering lists host processes whose command line holds token.
func lingering(token string) []string {
	var out []string
	pids, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range pids {
		b, err := os.ReadFile(p)
		if err == nil && strings.Contains(string(b), token) {
			out = append(out, p)
		}
	}
	return out
}

// TestNothingOutlivesTheRun: a setsid grandchild escapes a process-group kill, not a sandbox.
func TestNothingOutlivesTheRun(t *testing.T) {
	dir, _ := submission(t)
	for _, b := range walled(t) {
		t.Run(b.Name(), func(t *testing.T) {
			token := fmt.Sprintf("lab-linger-%d-%s", os.Getpid(), b.Name())
			got, res := run(t, b, sandbox.Spec{Dir: dir}, "daemon", token)
			if got != "ok" {
				t.Fatalf("daemon: %q (stderr %q)", got, res.Stderr)
			}
			if left := lingering(token); len(left) > 0 {
				t.Errorf("processes outlived the run: %v", left)
			}
		})
	}
	// Without a sandbox the daemon survives: the check above can fail.
	token := fmt.Sprintf("lab-linger-%d-none", os.Getpid())
	if got, _ := run(t, sandbox.None{}, sandbox.Spec{Dir: dir}, "daemon", token); got != "ok" {
		t.Fatalf("daemon without a sandbox: %q", got)
	}
	left := lingering(token)
	if len(left) == 0 {
		t.Error("the setsid daemon did not survive a direct run: this test proves nothing")
	}
	exec.Command("pkill", "-f", token).Run() // only the daemon this test started: its token is unique
}

func TestLimits(t *testing.T) {
	dir, _ := submission(t)
	for _, b := range walled(t) {
		t.Run(b.Name()+"/memory", func(t *testing.T) {
			got, res := run(t, b, sandbox.Spec{Dir: dir, Limits: sandbox.Limits{Memory: 256 << 20}}, "memhog")
			if want := "stopped: used more than 256 MiB of memory"; res.Limit != want {
				t.Errorf("memory hog: Limit %q, want %q (printed %q, exit %d, stderr %.300q)", res.Limit, want, got, res.ExitCode, res.Stderr)
			}
		})
		t.Run(b.Name()+"/processes", func(t *testing.T) {
			got, res := run(t, b, sandbox.Spec{Dir: dir, Limits: sandbox.Limits{Procs: 64}}, "forkbomb")
			if want := "stopped: started more than 64 processes and threads"; res.Limit != want {
				t.Errorf("fork bomb: Limit %q, want %q (printed %q, exit %d, stderr %.300q)", res.Limit, want, got, res.ExitCode, res.Stderr)
			}
		})
		t.Run(b.Name()+"/deadline", func(t *testing.T) {
			start := time.Now()
			_, res := run(t, b, sandbox.Spec{Dir: dir, Deadline: runner.NewDeadline(time.Now().Add(3 * time.Second))}, "sleep")
			if res.Killed != runner.Expired {
				t.Errorf("sleeper: Killed %q, want %q", res.Killed, runner.Expired)
			}
			if d := time.Since(start); d > time.Minute {
				t.Errorf("the run lasted %v past a 3 s deadline", d)
			}
		})
	}
}

func TestSelect(t *testing.T) {
	ctx := context.Background()
	if _, err := sandbox.Select(ctx, "chroot"); err == nil || !strings.Contains(err.Error(), "auto, bwrap, docker or none") {
		t.Errorf("unknown backend: %v", err)
	}
	if b, err := sandbox.Select(ctx, "none"); err != nil || b.Name() != "none" {
		t.Errorf("none: %v %v", b, err)
	}
	b, err := sandbox.Select(ctx, "auto")
	switch {
	case err != nil && !errors.Is(err, sandbox.ErrNone):
		t.Errorf("auto: %v", err)
	case err != nil:
		t.Logf("auto: %v", err)
	case b.Name() == "none":
		t.Error("auto chose no walls")
	case b.Name() != "bwrap" && (&sandbox.Bwrap{}).Available(ctx) == nil:
		t.Errorf("auto chose %s though bwrap works: it costs more per run", b.Name())
	}
}
