package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// An interrupted check exits 128 + the signal (130 Ctrl-C, 129 terminal closed), not 1 as a
// failed one does, and a --junit path that cannot be written is refused before the check runs
// (issue 13).
func TestInterruptedCheckExitStatus(t *testing.T) {
	if testing.Short() {
		t.Skip("builds lab and runs checks")
	}
	bin := buildLab(t)
	dir := t.TempDir()
	course := filepath.Join(dir, "course")
	os.MkdirAll(course, 0o755)
	os.WriteFile(filepath.Join(course, "go.mod"), []byte("module example.com/c\n\ngo 1.26\n"), 0o644)
	if r := run(t, dir, "", "--course", course, "new", "01-slow", "--title", "Slow"); r.code != 0 {
		t.Fatalf("new: %+v", r)
	}
	ws := filepath.Join(dir, "ws")
	env := append(os.Environ(), "LAB_WORKSPACE="+ws, "LAB_COURSE="+course)
	start := exec.Command(bin, "start", "1", "--no-tui")
	start.Env = env
	if out, err := start.CombinedOutput(); err != nil {
		t.Fatalf("start: %v\n%s", err, out)
	}
	labDir := filepath.Join(ws, "01-slow")

	// --junit into a folder that does not exist: refused at once, exit 3, nothing checked.
	junit := exec.Command(bin, "check", "1", "--junit", filepath.Join(dir, "no-such-dir", "r.xml"))
	junit.Env, junit.Dir = env, labDir
	out, _ := junit.CombinedOutput()
	if code := junit.ProcessState.ExitCode(); code != exitEnv || !strings.Contains(string(out), "--junit") || strings.Contains(string(out), "Checking") {
		t.Errorf("--junit to a missing folder: exit %d, want %d before any check:\n%s", code, exitEnv, out)
	}

	// The learner's init announces it was reached (where it can), then blocks: the check is
	// mid-run.
	marker := filepath.Join(dir, "reached")
	src, _ := os.ReadFile(filepath.Join(labDir, "main.go"))
	blocked := withImports(string(src)+"\nfunc init() {\n\tos.WriteFile(`"+marker+"`, nil, 0o644)\n\t"+blockForever+"\n}\n", "os", "time")
	os.WriteFile(filepath.Join(labDir, "main.go"), []byte(blocked), 0o644)
	eachMode(t, func(t *testing.T, m checkMode) {
		for _, tc := range []struct {
			sig  syscall.Signal
			want int
		}{{syscall.SIGINT, 130}, {syscall.SIGHUP, 129}} {
			os.Remove(marker)
			check := exec.Command(bin, "check", "1", m.flag)
			check.Env, check.Dir = env, labDir
			var out strings.Builder
			check.Stdout, check.Stderr = &out, &out
			if err := check.Start(); err != nil {
				t.Fatal(err)
			}
			waitReached(t, m, check, marker, &out)
			check.Process.Signal(tc.sig)
			done := make(chan error, 1)
			go func() { done <- check.Wait() }()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				check.Process.Kill()
				t.Fatalf("lab did not stop within 30 s of %v:\n%s", tc.sig, out.String())
			}
			if code := check.ProcessState.ExitCode(); code != tc.want {
				t.Errorf("check stopped by %v exited %d, want %d:\n%s", tc.sig, code, tc.want, out.String())
			}
		}
	})
}
