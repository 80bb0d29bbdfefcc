package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildLab compiles the lab binary once for the end-to-end tests.
func buildLab(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "lab")
	out, err := exec.Command("go", "build", "-buildvcs=true", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// procsIn lists processes whose working directory is inside dir: the go command and the test
// binary of a check run there.
func procsIn(dir string) []string {
	var out []string
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		cwd, err := os.Readlink(filepath.Join("/proc", e.Name(), "cwd"))
		if err != nil || !strings.HasPrefix(cwd, dir) {
			continue
		}
		cmd, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		out = append(out, e.Name()+": "+strings.ReplaceAll(string(cmd), "\x00", " "))
	}
	return out
}

// redisServers lists redis-server processes.
func redisServers() map[string]bool {
	out := map[string]bool{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		cmd, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.Contains(strings.SplitN(string(cmd), "\x00", 2)[0], "redis-server") {
			out[e.Name()] = true
		}
	}
	return out
}

// A learner presses Ctrl-C while the hidden tests run against Redis started from local
// binaries: lab must stop the tests and the servers it started, and leave nothing running.
func TestInterruptedCheckLeavesNothing(t *testing.T) {
	eachMode(t, func(t *testing.T, m checkMode) { interruptCheck(t, m, syscall.SIGINT, false) })
}

// Killed outright (kill -9, a closed terminal) lab cannot clean up: the kernel's parent-death
// signal and the test binary's watchdog (or bwrap's --die-with-parent and the sandbox's PID
// namespace) must still leave nothing running.
func TestKilledCheckLeavesNothing(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the parent-death signal is Linux-only")
	}
	eachMode(t, func(t *testing.T, m checkMode) { interruptCheck(t, m, syscall.SIGKILL, false) })
}

// The terminal closes (SIGHUP) while the learner's init blocks: the test binary's own -timeout
// is not armed yet and no watchdog runs, so only its being lab's direct child with a
// parent-death signal stops it. The check's temporary folder, left behind, is swept by the
// next check.
func TestHangupWhileInitBlocksLeavesNothing(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the parent-death signal is Linux-only")
	}
	eachMode(t, func(t *testing.T, m checkMode) { interruptCheck(t, m, syscall.SIGHUP, true) })
}

// checkMode is how a check runs its tests: directly, or in a sandbox. CI sets CI=true, which
// makes `lab check` sandboxed by default, so each test says which one it means.
type checkMode struct {
	name string
	flag string
}

func (m checkMode) sandboxed() bool { return m.flag != "--no-sandbox" }

// eachMode runs fn unsandboxed and, where bubblewrap works, in a bwrap sandbox (CI installs it:
// there it must work).
func eachMode(t *testing.T, fn func(t *testing.T, m checkMode)) {
	t.Run("direct", func(t *testing.T) { fn(t, checkMode{"direct", "--no-sandbox"}) })
	t.Run("bwrap", func(t *testing.T) {
		workingSandboxes(t, "bwrap")
		fn(t, checkMode{"bwrap", "--sandbox=bwrap"})
	})
}

// blockForever is learner code that never returns; a sleeping loop rather than `select {}`,
// which the runtime would end as a deadlock when nothing else runs.
const blockForever = "for {\n\t\ttime.Sleep(time.Hour)\n\t}"

// withImports adds the imports blockForever and the marker need.
func withImports(src string, pkgs ...string) string {
	for _, p := range pkgs {
		if !strings.Contains(src, `"`+p+`"`) {
			src = strings.Replace(src, "import (", "import (\n\t\""+p+"\"", 1)
		}
	}
	return src
}

// proc is a process seen under lab, with its start time so that a reused PID is not mistaken
// for a survivor.
type proc struct {
	pid, start, cmd string
}

// procStat returns the parent PID and start time of pid.
func procStat(pid string) (ppid, start string, ok bool) {
	b, err := os.ReadFile(filepath.Join("/proc", pid, "stat"))
	if err != nil {
		return "", "", false
	}
	// comm may hold spaces and parentheses: fields start after the last ')'.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 20 {
		return "", "", false
	}
	return f[1], f[19], true
}

// descendants lists every process below root, PID namespaces included (the host sees them all).
func descendants(root int) []proc {
	parent := map[string]string{}
	starts := map[string]string{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		if pp, st, ok := procStat(e.Name()); ok {
			parent[e.Name()], starts[e.Name()] = pp, st
		}
	}
	var out []proc
	for pid := range parent {
		for p := parent[pid]; p != "" && p != "0"; p = parent[p] {
			if p == strconv.Itoa(root) {
				cmd, _ := os.ReadFile(filepath.Join("/proc", pid, "cmdline"))
				out = append(out, proc{pid, starts[pid], strings.ReplaceAll(string(cmd), "\x00", " ")})
				break
			}
		}
	}
	return out
}

// alive returns those of ps still running (same PID, same start time, not a zombie).
func alive(ps []proc) []string {
	var out []string
	for _, p := range ps {
		_, st, ok := procStat(p.pid)
		if !ok || st != p.start {
			continue
		}
		if b, _ := os.ReadFile(filepath.Join("/proc", p.pid, "stat")); strings.Contains(string(b), ") Z ") {
			continue
		}
		out = append(out, p.pid+": "+p.cmd)
	}
	return out
}

// testBinaryRunning says whether a test binary (not test2json, which carries the same flags)
// runs under lab: in a sandbox the learner's code cannot write a marker the host could see.
func testBinaryRunning(root int) bool {
	for _, p := range descendants(root) {
		args := strings.Fields(p.cmd)
		if len(args) > 0 && !strings.Contains(args[0], "test2json") && strings.Contains(p.cmd, " -test.") {
			return true
		}
	}
	return false
}

// waitReached waits until the learner's blocking code runs: the marker it writes when it can
// (no sandbox), else its test binary running for a moment.
func waitReached(t *testing.T, m checkMode, check *exec.Cmd, marker string, out *strings.Builder) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		if m.sandboxed() {
			if testBinaryRunning(check.Process.Pid) {
				time.Sleep(2 * time.Second)
				return
			}
		} else if _, err := os.Stat(marker); err == nil {
			return
		}
		if time.Now().After(deadline) {
			check.Process.Kill()
			t.Fatalf("the check never reached the learner's blocking code (%s):\n%s", m.name, out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func interruptCheck(t *testing.T, m checkMode, sig syscall.Signal, inInit bool) {
	if testing.Short() {
		t.Skip("builds lab and runs a check")
	}
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("redis-server is not installed (.ci/run installs it)")
		}
		t.Skip("redis-server is not installed")
	}
	bin := buildLab(t)
	dir := t.TempDir()
	course := filepath.Join(dir, "course")
	os.MkdirAll(course, 0o755)
	os.WriteFile(filepath.Join(course, "go.mod"), []byte("module example.com/c\n\ngo 1.26\n"), 0o644)
	if r := run(t, dir, "", "--course", course, "new", "01-slow", "--title", "Slow", "--services", "redis"); r.code != 0 {
		t.Fatalf("new: %+v", r)
	}
	ws := filepath.Join(dir, "ws")
	env := append(os.Environ(), "LAB_WORKSPACE="+ws, "LAB_COURSE="+course, "LAB_SERVICES=local")
	start := exec.Command(bin, "start", "1", "--no-tui")
	start.Env = env
	if out, err := start.CombinedOutput(); err != nil {
		t.Fatalf("start: %v\n%s", err, out)
	}
	// The learner's handler announces it was reached (where it can write outside its
	// folder: not in a sandbox), then blocks forever.
	marker := filepath.Join(dir, "reached")
	src, _ := os.ReadFile(filepath.Join(course, "labs", "01-slow", "starter", "main.go"))
	blocked := withImports(strings.Replace(string(src), `http.Error(w, "not implemented", http.StatusNotImplemented)`,
		`os.WriteFile(`+"`"+marker+"`"+`, nil, 0o644)
		`+blockForever, 1), "os", "time")
	if inInit {
		blocked = withImports(string(src)+"\nfunc init() {\n\tos.WriteFile(`"+marker+"`, nil, 0o644)\n\t"+blockForever+"\n}\n", "os", "time")
	}
	os.WriteFile(filepath.Join(ws, "01-slow", "main.go"), []byte(blocked), 0o644)
	// A private TMPDIR: the check folders left by a killed lab are visible, and only ours.
	// Not under t.TempDir (0700): lab running as root starts the services as nobody, in it.
	tmp, err := os.MkdirTemp("", "lab-interrupt-tmp-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(tmp, 0o755)
	t.Cleanup(func() { os.RemoveAll(tmp) })
	env = append(env, "TMPDIR="+tmp)

	before := redisServers()
	check := exec.Command(bin, "check", "1", m.flag)
	check.Env = env
	check.Dir = filepath.Join(ws, "01-slow")
	var out strings.Builder
	check.Stdout, check.Stderr = &out, &out
	if err := check.Start(); err != nil {
		t.Fatal(err)
	}
	waitReached(t, m, check, marker, &out)
	under := descendants(check.Process.Pid)
	started := redisServers()
	if len(started) <= len(before) {
		t.Errorf("no redis-server was started for the check (before %v, during %v)", before, started)
	}
	check.Process.Signal(sig)
	done := make(chan error, 1)
	go func() { done <- check.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		check.Process.Kill()
		t.Fatalf("lab did not stop within 20 s of %v:\n%s", sig, out.String())
	}
	if code := check.ProcessState.ExitCode(); code == 0 && sig == syscall.SIGINT {
		t.Errorf("interrupted check exited 0:\n%s", out.String())
	}
	// Give the kernel a moment to reap (and the watchdog its 200 ms); nothing may be left.
	var left []string
	for range 200 {
		left = append(procsIn(ws), alive(under)...)
		for pid := range redisServers() {
			if !before[pid] {
				left = append(left, pid+": redis-server started by the check")
			}
		}
		if len(left) == 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(left) > 0 {
		t.Errorf("left running after %v:\n%s\nlab said:\n%s", sig, strings.Join(left, "\n"), out.String())
	}
	if sig == syscall.SIGINT {
		if ents, _ := os.ReadDir(tmp); len(ents) > 0 {
			t.Errorf("an interrupted check left %d entries in TMPDIR: %v", len(ents), ents)
		}
		return
	}
	// The next check removes what the killed one left in TMPDIR (lab-check-<pid>-*, go-build).
	os.WriteFile(filepath.Join(ws, "01-slow", "main.go"), src, 0o644)
	again := exec.Command(bin, "check", "1", m.flag)
	again.Env, again.Dir = env, filepath.Join(ws, "01-slow")
	if o, err := again.CombinedOutput(); err != nil && again.ProcessState.ExitCode() > 1 {
		t.Fatalf("the next check: %v\n%s", err, o)
	}
	if ents, _ := os.ReadDir(tmp); len(ents) > 0 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("after the next check, TMPDIR still holds %v", names)
	}
}
