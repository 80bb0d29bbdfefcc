package checker

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/learnlab/lab/internal/sandbox"
)

// The attacks of issue 13 that only a sandbox can refuse, each run for real in every sandbox
// backend that works here (CI has bwrap and Docker: there each must work). Without one, the
// tests skip and say why.

func sandboxes(t *testing.T) []sandbox.Backend {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out []sandbox.Backend
	var why []string
	for _, name := range []string{"bwrap", "docker"} {
		b, err := sandbox.Select(ctx, name)
		if err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("CI must run the attacks in every sandbox: %v", err)
			}
			why = append(why, err.Error())
			continue
		}
		out = append(out, b)
	}
	if len(out) == 0 {
		t.Skipf("no sandbox backend works here: %s", strings.Join(why, "; "))
	}
	return out
}

// eachSandbox runs fn in a subtest per working backend.
func eachSandbox(t *testing.T, fn func(t *testing.T, sb sandbox.Backend)) {
	for _, sb := range sandboxes(t) {
		t.Run(sb.Name(), func(t *testing.T) { fn(t, sb) })
	}
}

func amd64Only(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("the sample patches amd64 code (a RET is 0xC3)")
	}
}

// anyPass says whether some task passed: for the attacks' samples, which start from the
// starter, any pass is the attack's.
func anyPass(r *Report) bool {
	for _, tr := range r.Tasks {
		if tr.Status == Pass {
			return true
		}
	}
	return false
}

// Attack 1: a RET written over each renamed hidden test, through mprotect or /proc/self/mem.
// Without a sandbox the attack works (the first check shows the sample is real); in one, code
// pages cannot be made writable and /proc/self/mem cannot be written.
func TestSandboxRefusesCodePatching(t *testing.T) {
	amd64Only(t)
	for _, name := range []string{"hostile/mprotect", "hostile/procmem"} {
		t.Run(filepath.Base(name), func(t *testing.T) {
			if r := check(t, name, Options{}); !anyPass(r) {
				t.Errorf("without a sandbox the sample passed nothing (%s: %s): it no longer shows the attack", r.Status, r.Message)
			}
			eachSandbox(t, func(t *testing.T, sb sandbox.Backend) {
				r := check(t, name, Options{Sandbox: sb})
				noPass(t, r)
			})
		})
	}
}

// Attack 2: the keyed seal derived from the key in the user cache dir. A sandboxed check uses
// fresh seals, and the key is not visible inside.
func TestSandboxRefusesForgedKeyedSeal(t *testing.T) {
	if sealKey() == nil {
		t.Skip("no seal key can be made here")
	}
	t.Run("keyed seals, no sandbox", func(t *testing.T) {
		// CI=true (and LAB_SEAL=fresh) switch to fresh seals, which this sample cannot
		// forge: the baseline needs the keyed seals a learner's own laptop uses.
		t.Setenv("CI", "")
		t.Setenv("LAB_SEAL", "")
		if r := check(t, "hostile/forge-key", Options{}); !anyPass(r) {
			t.Errorf("without a sandbox the sample passed nothing (%s: %s): it no longer shows the attack", r.Status, r.Message)
		}
	})
	eachSandbox(t, func(t *testing.T, sb sandbox.Backend) {
		noPass(t, check(t, "hostile/forge-key", Options{Sandbox: sb}))
	})
}

// Attack 3: a setsid daemon that outlives its check and rewrites the next check's hidden
// tests. In a sandbox it ends with the check (PID namespace), and could not see the host's
// /tmp anyway: the next check, even unsandboxed, is graded on the real tests.
func TestSandboxEndsDaemons(t *testing.T) {
	eachSandbox(t, func(t *testing.T, sb sandbox.Backend) {
		c, l := fixture(t)
		dir := learner(t, c, l, "hostile/daemon")
		for i := range 2 {
			r, err := Run(context.Background(), Options{Course: c, Lab: l, Dir: dir, Sandbox: sb})
			if err != nil {
				t.Fatal(err)
			}
			if anyPass(r) {
				t.Errorf("check %d: a task passed", i+1)
			}
		}
		if left := procsWith("lab-hostile-daemon"); len(left) > 0 {
			killAll(left)
			t.Errorf("the daemon outlived its sandboxed check: %v", left)
		}
		noPass(t, check(t, "", Options{Dir: learner(t, c, l, "starter")}))
	})
}

// Attack 7: learner init hunting for hidden sources while other checks compile theirs.
func TestSandboxHidesHiddenSources(t *testing.T) {
	eachSandbox(t, func(t *testing.T, sb sandbox.Backend) {
		c, l := fixture(t)
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { // honest checks compiling their hidden tests all the while
			defer wg.Done()
			for ctx.Err() == nil {
				Run(ctx, Options{Course: c, Lab: l, Dir: learner(t, c, l, "solution")})
			}
		}()
		r := check(t, "hostile/read-hidden", Options{Sandbox: sb})
		cancel()
		wg.Wait()
		for _, tr := range r.Tasks {
			for _, tt := range tr.Tests {
				if strings.Contains(tt.Message+tt.Output, "LAB-HIDDEN-FOUND") {
					t.Errorf("%s: the hidden sources were readable: %s", tt.Name, tt.Message)
				}
			}
		}
	})
}

// Attack 4 in a sandbox too (the seal refuses it everywhere).
func TestSandboxRewriterFailToPass(t *testing.T) {
	eachSandbox(t, func(t *testing.T, sb sandbox.Backend) {
		r := check(t, "hostile/rewrite-fail", Options{Sandbox: sb})
		noPass(t, r)
		mustContain(t, "message", r.Message, "could not be trusted")
	})
}

// The honest starter and solution grade the same in a sandbox.
func TestSandboxHonestGradesUnchanged(t *testing.T) {
	eachSandbox(t, func(t *testing.T, sb sandbox.Backend) {
		wantTasks(t, check(t, "solution", Options{Sandbox: sb}), map[string]Status{"add": Pass, "greet": Pass, "newer": Pass})
		r := check(t, "starter", Options{Sandbox: sb})
		noPass(t, r)
		mustContain(t, "greet message", taskMsg(r, "greet"), "got 501")
		r = check(t, "panic-handler", Options{Sandbox: sb})
		wantTasks(t, r, map[string]Status{"add": Pass, "greet": Fail})
		mustContain(t, "greet", r.Tasks[1].Message, "panicked", "assignment to entry in nil map")
	})
}

// procsWith lists the pids whose command line contains s.
func procsWith(s string) []string {
	var out []string
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		cmd, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.Contains(string(cmd), s) {
			out = append(out, e.Name())
		}
	}
	return out
}

func killAll(pids []string) {
	for _, p := range pids {
		if n, err := strconv.Atoi(p); err == nil {
			syscall.Kill(n, syscall.SIGKILL)
		}
	}
}

// The mutation lab runs the learner's own tests, once per mutant: a sandboxed mutation check
// runs every one of those runs in the sandbox. Without one the sample writes beside itself
// (the baseline shows the attack); in one, its folder is read-only and lab's cache is not there.
func TestSandboxRunsMutationSuites(t *testing.T) {
	src, err := os.ReadFile("testdata/hostile/mutation-escape/clamp_test.go")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{"clamp_test.go": string(src)}
	c, l := mutationFixture(t)
	t.Run("no sandbox", func(t *testing.T) {
		dir := mutationLearner(t, c, l, "solution", files)
		if _, err := Run(context.Background(), Options{Course: c, Lab: l, Dir: dir}); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dir, "escaped.txt")); err != nil {
			t.Errorf("without a sandbox the sample wrote nothing (%v): it no longer shows the attack", err)
		}
	})
	eachSandbox(t, func(t *testing.T, sb sandbox.Backend) {
		dir := mutationLearner(t, c, l, "solution", files)
		r, err := Run(context.Background(), Options{Course: c, Lab: l, Dir: dir, Sandbox: sb})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dir, "escaped.txt")); err == nil {
			t.Errorf("a sandboxed mutation run wrote into the learner's folder")
		}
		// The walls must not cost the honest part: every mutant is still killed.
		for _, tr := range r.Tasks {
			if tr.Status != Pass {
				t.Errorf("task %s: %s (%s) in the sandbox; want every mutant killed", tr.ID, tr.Status, tr.Message)
			}
		}
	})
}
