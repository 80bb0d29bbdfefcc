package checker

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

func wantTasks(t *testing.T, r *Report, want map[string]Status) {
	t.Helper()
	got := statuses(r)
	for id, st := range want {
		if got[id] != st {
			t.Errorf("task %s: got %s, want %s (message: %s)", id, got[id], st, taskMsg(r, id))
		}
	}
}

func taskMsg(r *Report, id string) string {
	for _, tr := range r.Tasks {
		if tr.ID == id {
			return tr.Message
		}
	}
	return ""
}

func noPass(t *testing.T, r *Report) {
	t.Helper()
	for _, tr := range r.Tasks {
		if tr.Status == Pass {
			t.Errorf("task %s passed; no task may pass here (report status %s: %s)", tr.ID, r.Status, r.Message)
		}
		for _, tt := range tr.Tests {
			if tt.Status == Pass {
				t.Errorf("test %s passed", tt.Name)
			}
			if tt.Message == "" {
				t.Errorf("test %s (%s) has no message", tt.Name, tt.Status)
			}
		}
	}
	if r.Status == Pass {
		t.Errorf("report passed")
	}
}

func mustContain(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s does not say %q:\n%s", what, sub, s)
		}
	}
}

func TestStarterFailsEveryTask(t *testing.T) {
	t.Parallel()
	r := check(t, "starter", Options{})
	noPass(t, r)
	if r.Status != Fail {
		t.Errorf("status %s, want fail: %s", r.Status, r.Message)
	}
	mustContain(t, "greet message", taskMsg(r, "greet"), "got 501", `want 200 "hello, Bo"`)
}

func TestSolutionPassesEveryTask(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	kinds := map[EventKind]int{}
	r := check(t, "solution", Options{Progress: func(e Event) { mu.Lock(); kinds[e.Kind]++; mu.Unlock() }})
	wantTasks(t, r, map[string]Status{"add": Pass, "greet": Pass, "newer": Pass})
	if kinds[Building] < 1 || kinds[Running] != 1 || kinds[TestStarted] != 4 || kinds[TestDone] != 4 || kinds[TaskDone] != 3 {
		t.Errorf("progress events: %v", kinds)
	}
	if r.Status != Pass {
		t.Errorf("status %s: %s", r.Status, r.Message)
	}
}

func TestHalfDone(t *testing.T) {
	t.Parallel()
	r := check(t, "half", Options{PassedBefore: map[string]bool{"newer": true, "add": true}})
	wantTasks(t, r, map[string]Status{"add": Pass, "greet": Pass, "newer": Fail})
	for _, tr := range r.Tasks {
		if tr.WasPassing != (tr.ID == "newer") {
			t.Errorf("task %s: WasPassing %v", tr.ID, tr.WasPassing)
		}
	}
}

func TestTidiedGoModStillChecks(t *testing.T) {
	t.Parallel()
	r := check(t, "tidy", Options{})
	wantTasks(t, r, map[string]Status{"add": Pass, "greet": Pass, "newer": Pass})
}

func TestLearnerTestMainNeverRuns(t *testing.T) {
	t.Parallel()
	r := check(t, "testmain-exit", Options{})
	noPass(t, r)
	mustContain(t, "add", taskMsg(r, "add"), "got 0, want 5")
}

func TestHiddenNameInLearnerTestFile(t *testing.T) {
	t.Parallel()
	r := check(t, "redefine-test", Options{})
	noPass(t, r)
	mustContain(t, "add", taskMsg(r, "add"), "got 0, want 5")
}

func TestHiddenNameInLearnerCode(t *testing.T) {
	t.Parallel()
	r := check(t, "redefine-nontest", Options{})
	noPass(t, r)
	if r.Status != Error {
		t.Errorf("status %s, want error", r.Status)
	}
	mustContain(t, "build", r.Build, "cheat.go:5:6", "TestAdd")
	mustContain(t, "message", r.Message, "does not compile", "TestAdd is the name of a hidden test")
	if strings.Contains(r.Message, "/tmp/") || strings.Contains(r.Message, "zz_lab_") {
		t.Errorf("message shows internal paths:\n%s", r.Message)
	}
}

func TestFakeFrameworkLines(t *testing.T) {
	t.Parallel()
	r := check(t, "fake-output", Options{})
	noPass(t, r)
	// Printed before the first test, "--- PASS: TestAdd" is read by test2json as the real thing.
	if r.Status != Error {
		t.Errorf("status %s, want error: %s", r.Status, r.Message)
	}
	mustContain(t, "message", r.Message, "could not be trusted")
}

func TestForgedMarkerLines(t *testing.T) {
	t.Parallel()
	r := check(t, "fake-marker", Options{})
	noPass(t, r)
	if r.Status != Error {
		t.Errorf("status %s, want error", r.Status)
	}
	mustContain(t, "message", r.Message, "could not be trusted")
}

func TestExitInInit(t *testing.T) {
	t.Parallel()
	r := check(t, "exit-init", Options{})
	noPass(t, r)
	mustContain(t, "add", taskMsg(r, "add"), "exited before running any test", "os.Exit")
}

func TestPanicInHandler(t *testing.T) {
	t.Parallel()
	r := check(t, "panic-handler", Options{})
	wantTasks(t, r, map[string]Status{"add": Pass, "greet": Fail})
	tr := r.Tasks[1]
	mustContain(t, "greet", tr.Message, "panicked", "assignment to entry in nil map")
	mustContain(t, "TestGreet output", tr.Tests[0].Output, "main.go:15")
	mustContain(t, "TestGreetDefault", tr.Tests[1].Message, "did not run", "panicked in TestGreet")
}

func TestInfiniteLoopTimesOut(t *testing.T) {
	t.Parallel()
	start := time.Now()
	r := check(t, "infinite-loop", Options{Timeout: 2 * time.Second})
	if el := time.Since(start); el > 2*time.Second+grace(2*time.Second)+30*time.Second {
		t.Errorf("took %s", el)
	}
	noPass(t, r)
	if r.Status != Timeout {
		t.Fatalf("status %s, want timeout: %s", r.Status, r.Message)
	}
	mustContain(t, "message", r.Message, "TestAdd", "2s")
	if r.Tasks[0].Status != Timeout {
		t.Errorf("add: %s", r.Tasks[0].Status)
	}
}

func TestInfiniteLoopAtStartupHitsHardDeadline(t *testing.T) {
	t.Parallel()
	start := time.Now()
	r := check(t, "init-loop", Options{Timeout: 2 * time.Second})
	el := time.Since(start)
	noPass(t, r)
	if r.Status != Timeout {
		t.Fatalf("status %s, want timeout: %s", r.Status, r.Message)
	}
	mustContain(t, "message", r.Message, "time limit (2s)", "infinite loop at startup")
	if el > 2*time.Second+grace(2*time.Second)+runnerGrace+30*time.Second {
		t.Errorf("took %s", el)
	}
}

const runnerGrace = 2 * time.Second

func TestOutputFlood(t *testing.T) {
	t.Parallel()
	start := time.Now()
	r := check(t, "flood", Options{})
	t.Logf("flood check took %s", time.Since(start))
	wantTasks(t, r, map[string]Status{"add": Error, "greet": Fail, "newer": Fail})
	noPass(t, r)
	mustContain(t, "message", r.Message, "more than 32 MB", "TestAdd")
	out := r.Tasks[0].Tests[0].Output
	if len(out) > MaxTestOutput+200 {
		t.Errorf("kept %d bytes of output", len(out))
	}
	mustContain(t, "output", out, "bytes cut")
}

func TestReplaceInGoModIsIgnored(t *testing.T) {
	t.Parallel()
	r := check(t, "replace", Options{})
	noPass(t, r)
	if len(r.Notes) != 1 {
		t.Fatalf("notes: %q", r.Notes)
	}
	mustContain(t, "note", r.Notes[0], "replace golang.org/x/mod => ./fakemod")
}

func TestDeletedFiles(t *testing.T) {
	t.Parallel()
	r := check(t, "deleted", Options{})
	noPass(t, r)
	if r.Status != Error {
		t.Errorf("status %s, want error", r.Status)
	}
	mustContain(t, "build", r.Build, "hidden test tiny_test.go:14:12: undefined: add")
	mustContain(t, "message", r.Message, "did you rename or delete it?")
}

func TestMissingFolder(t *testing.T) {
	t.Parallel()
	r := check(t, "", Options{Dir: t.TempDir() + "/gone"})
	noPass(t, r)
	mustContain(t, "message", r.Message, "is missing", "lab reset 1")
}

func TestForgedRunThenExit(t *testing.T) {
	t.Parallel()
	r := check(t, "forge-all", Options{})
	noPass(t, r)
	mustContain(t, "message", r.Message, "could not be trusted")
}

func TestForgedPassThenKill(t *testing.T) {
	t.Parallel()
	r := check(t, "forge-kill", Options{})
	noPass(t, r)
	mustContain(t, "message", r.Message, "could not be trusted", "TestAdd")
}

func TestCancelStopsPromptly(t *testing.T) {
	t.Parallel()
	c, l := fixture(t)
	dir := learner(t, c, l, "infinite-loop")
	ctx, cancel := context.WithCancel(context.Background())
	var cancelledAt time.Time
	_, err := Run(ctx, Options{Course: c, Lab: l, Dir: dir, Progress: func(e Event) {
		if e.Kind == TestStarted {
			cancelledAt = time.Now()
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if el := time.Since(cancelledAt); el > 4*time.Second {
		t.Errorf("returned %s after cancel", el)
	}
}

func TestPanicInInitIsShownAsAPanic(t *testing.T) {
	t.Parallel()
	r := check(t, "panic-init", Options{})
	noPass(t, r)
	mustContain(t, "add", taskMsg(r, "add"), "panicked at startup", "PORT is not set", "boom.go:")
	if strings.Contains(taskMsg(r, "add"), "os.Exit") {
		t.Errorf("a panic is blamed on os.Exit: %s", taskMsg(r, "add"))
	}
}
