package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/learnlab/lab/internal/classroom"
	"github.com/learnlab/lab/internal/workspace"
)

// demoCourse is the loader's fixture course: one lab, 01-demo, with tasks hello and count.
var demoCourse, _ = filepath.Abs("../../internal/course/testdata/course")

type result struct {
	out, err string
	code     int
}

// run executes lab in-process from dir, with stdin.
func run(t *testing.T, dir, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	a := newApp(strings.NewReader(stdin), &out, &errOut)
	a.cwd = dir
	cmd := newRootCmd(a)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(context.Background())
	if err != nil && err != errSilent {
		errOut.WriteString(err.Error())
	}
	return result{out.String(), errOut.String(), exitCode(err)}
}

func TestLearnerCommandsFromAnywhereInTheWorkspace(t *testing.T) {
	t.Setenv("LAB_WORKSPACE", "")
	t.Setenv("LAB_COURSE", demoCourse)
	home := t.TempDir()

	r := run(t, home, "", "start", "1", "--no-tui")
	if r.code != 0 || !strings.Contains(r.out, "Started 01-demo") {
		t.Fatalf("start: %+v", r)
	}
	labDir := filepath.Join(home, "lab-work", "01-demo")
	if _, err := os.Stat(filepath.Join(labDir, "main.go")); err != nil {
		t.Fatalf("starter not copied: %v", err)
	}
	r = run(t, labDir, "", "start", "demo", "--no-tui")
	if r.code != 0 || !strings.Contains(r.out, "already started") {
		t.Errorf("second start: %+v", r)
	}

	for _, dir := range []string{home, filepath.Join(home, "lab-work"), labDir} {
		r = run(t, dir, "", "list")
		if r.code != 0 || !strings.Contains(r.out, "01   Demo") || !strings.Contains(r.out, "0/2") {
			t.Errorf("list from %s: %+v", dir, r)
		}
		r = run(t, dir, "", "progress")
		if r.code != 0 || !strings.Contains(r.out, "hello") {
			t.Errorf("progress from %s: %+v", dir, r)
		}
	}

	// Hints: one more each time, for the lab of the working directory.
	r = run(t, labDir, "", "hint")
	if r.code != 0 || !strings.Contains(r.out, "Hint 1/1") {
		t.Errorf("hint: %+v", r)
	}
	r = run(t, home, "", "hint", "1", "count")
	if r.code != 0 || !strings.Contains(r.out, "count — Count to three") {
		t.Errorf("hint 1 count: %+v", r)
	}
	r = run(t, home, "", "hint", "1", "nope")
	if r.code != exitUsage || !strings.Contains(r.err, `no task "nope"`) {
		t.Errorf("hint for an unknown task: %+v", r)
	}

	// Reset asks first; "n" keeps everything.
	main := filepath.Join(labDir, "main.go")
	os.WriteFile(main, []byte("package main // mine\nfunc main() {}\n"), 0o644)
	r = run(t, home, "n\n", "reset", "1")
	if data, _ := os.ReadFile(main); !strings.Contains(string(data), "mine") || !strings.Contains(r.out, "Nothing was reset") {
		t.Errorf("reset answered no changed files: %+v", r)
	}
	r = run(t, home, "", "reset", "1")
	if r.code != exitUsage {
		t.Errorf("reset with no answer: %+v", r)
	}
	r = run(t, labDir, "", "reset", "1", "--yes")
	if r.code != 0 || !strings.Contains(r.out, "previous files are in") {
		t.Fatalf("reset --yes: %+v", r)
	}
	if data, _ := os.ReadFile(main); strings.Contains(string(data), "mine") {
		t.Error("reset --yes did not restore main.go")
	}
	backups, _ := filepath.Glob(filepath.Join(home, "lab-work", ".lab", "backup", "01-demo-*", "main.go"))
	if len(backups) != 1 {
		t.Errorf("backups: %v", backups)
	}
}

func TestUsageErrors(t *testing.T) {
	t.Setenv("LAB_WORKSPACE", "")
	t.Setenv("LAB_COURSE", demoCourse)
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"start", "dmo", "--no-tui"}, "did you mean 01-demo?"},
		{[]string{"progress"}, "lab start 1"},
		{[]string{"reset", "1", "--yes"}, "01-demo is not started: there is no lab-work folder in"},
		{[]string{"--course", filepath.Join(dir, "nope"), "list"}, "not found"},
		{[]string{"list", "--bogus"}, "unknown flag"},
	} {
		r := run(t, dir, "", tc.args...)
		if r.code != exitUsage || !strings.Contains(r.err, tc.want) {
			t.Errorf("lab %v: code %d, stderr %q; want 2 and %q", tc.args, r.code, r.err, tc.want)
		}
	}
}

func TestBrokenCourseNamesFileAndLine(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module x\n\ngo 1.26\n"), 0o644)
	os.MkdirAll(filepath.Join(dir, "labs", "01-a", "starter"), 0o755)
	os.MkdirAll(filepath.Join(dir, "lessons"), 0o755)
	os.WriteFile(filepath.Join(dir, "labs", "01-a", "lab.toml"), []byte("format_version = 1\ntitle = \"A\"\ncolour = 1\n"), 0o644)
	r := run(t, dir, "", "--course", dir, "list")
	if r.code != exitUsage || !strings.Contains(r.err, `labs/01-a/lab.toml:3: unknown key "colour"`) {
		t.Errorf("got %+v", r)
	}
}

func TestNewScaffoldsALoadableLab(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "course")
	r := run(t, t.TempDir(), "", "--course", dir, "new", "01-hello", "--title", "Hello", "--services", "redis")
	if r.code != 0 {
		t.Fatalf("new: %+v", r)
	}
	r = run(t, t.TempDir(), "", "--course", dir, "list")
	if r.code != 0 || !strings.Contains(r.out, "01   Hello") || !strings.Contains(r.out, "redis") {
		t.Fatalf("list of the scaffold: %+v", r)
	}
	r = run(t, t.TempDir(), "", "--course", dir, "new", "01-hello", "--title", "Again")
	if r.code != exitUsage || !strings.Contains(r.err, "already exists") {
		t.Errorf("second new: %+v", r)
	}
}

func TestCIInitWritesALintCleanWorkflow(t *testing.T) {
	repo := t.TempDir()
	os.Mkdir(filepath.Join(repo, ".git"), 0o755)
	sub := filepath.Join(repo, "lab-work", "01-demo")
	os.MkdirAll(sub, 0o755)
	r := run(t, sub, "", "ci", "init")
	if r.code != 0 {
		t.Fatalf("ci init: %+v", r)
	}
	data, err := os.ReadFile(filepath.Join(repo, ".github", "workflows", "lab.yml"))
	if err != nil || string(data) != classroom.Workflow(classroom.WorkflowOptions{}) {
		t.Fatalf("workflow: %v", err)
	}
	if r := run(t, sub, "", "ci", "init"); r.code != exitUsage {
		t.Errorf("second ci init without --force: %+v", r)
	}
}

// An author's mistake in one lab must not lock learners out of the others; dev check still
// reports it.
func TestBrokenLabIsSkippedForLearnersOnly(t *testing.T) {
	dir := t.TempDir()
	if r := run(t, dir, "", "--course", dir, "new", "01-good", "--title", "Good"); r.code != 0 {
		t.Fatalf("new: %+v", r)
	}
	if r := run(t, dir, "", "--course", dir, "new", "02-bad", "--title", "Bad"); r.code != 0 {
		t.Fatalf("new: %+v", r)
	}
	os.WriteFile(filepath.Join(dir, "labs", "02-bad", "lab.toml"), []byte("format_version = 1\ntitle = \"Bad\"\ntasks = 3\n"), 0o644)
	r := run(t, dir, "", "--course", dir, "list")
	if r.code != 0 || !strings.Contains(r.out, "Good") || strings.Contains(r.out, "Bad") || !strings.Contains(r.err, "skipping 02-bad") {
		t.Errorf("list: %+v", r)
	}
	r = run(t, dir, "", "--course", dir, "dev", "check", "2")
	if r.code != exitUsage || !strings.Contains(r.err, "labs/02-bad/lab.toml:3") {
		t.Errorf("dev check: %+v", r)
	}
}

func TestCheckAllGradesEveryStartedLab(t *testing.T) {
	t.Setenv("LAB_WORKSPACE", "")
	dir := t.TempDir()
	course := filepath.Join(dir, "course")
	os.MkdirAll(course, 0o755)
	os.WriteFile(filepath.Join(course, "go.mod"), []byte("module example.com/c\n\ngo 1.26\n"), 0o644)
	for _, id := range []string{"01-one", "02-two", "03-three"} {
		if r := run(t, dir, "", "--course", course, "new", id, "--title", id); r.code != 0 {
			t.Fatalf("new %s: %+v", id, r)
		}
	}
	home := filepath.Join(dir, "home")
	os.MkdirAll(home, 0o755)
	if r := run(t, home, "", "--course", course, "check", "--all"); r.code != exitUsage {
		t.Errorf("check --all with no workspace: %+v", r)
	}
	run(t, home, "", "--course", course, "start", "1", "--no-tui")
	run(t, home, "", "--course", course, "start", "3", "--no-tui")
	// Lab 3 done: the solution's main.go.
	sol, _ := os.ReadFile(filepath.Join(course, "labs", "03-three", "solution", "main.go"))
	os.WriteFile(filepath.Join(home, "lab-work", "03-three", "main.go"), sol, 0o644)

	junit := filepath.Join(dir, "results.xml")
	r := run(t, home, "", "--course", course, "check", "--all", "--junit", junit)
	if r.code != exitFail || !strings.Contains(r.out, "All labs: 1/2 tasks passed in 2 lab(s)") {
		t.Fatalf("check --all: %+v", r)
	}
	data, _ := os.ReadFile(junit)
	if strings.Count(string(data), "<testsuite ") != 2 || strings.Contains(string(data), "02-two") {
		t.Errorf("JUnit:\n%s", data)
	}
	r = run(t, home, "", "--course", course, "check", "--all", "--json")
	if r.code != exitFail || !strings.HasPrefix(strings.TrimSpace(r.out), "[") || strings.Count(r.out, `"version": 3`) != 2 {
		t.Errorf("check --all --json: %+v", r)
	}
}

// The built-in course lists each lab topic first, the way a learner looks for it.
func TestListShowsTopicFirst(t *testing.T) {
	t.Setenv("LAB_WORKSPACE", "")
	t.Setenv("LAB_COURSE", "")
	r := run(t, t.TempDir(), "", "list")
	for _, want := range []string{"05   Caching — Product catalog over a slow database", "12   Microservices — ", "lab start 7"} {
		if r.code != 0 || !strings.Contains(r.out, want) {
			t.Errorf("list lacks %q: %+v", want, r)
		}
	}
}

// `lab start 1 </dev/null >/dev/null` in a script: /dev/null is a character device but not a
// terminal, so no workbench is opened (it used to exit 2 with "could not open TTY").
func TestStartWithDevNullIsNotATerminal(t *testing.T) {
	t.Setenv("LAB_WORKSPACE", "")
	t.Setenv("LAB_COURSE", demoCourse)
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		t.Skip(err)
	}
	defer null.Close()
	var errOut bytes.Buffer
	a := newApp(null, null, &errOut)
	a.cwd = t.TempDir()
	cmd := newRootCmd(a)
	cmd.SetArgs([]string{"start", "1"})
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("start with /dev/null: %v (stderr %q)", err, errOut.String())
	}
	if _, err := os.Stat(filepath.Join(a.cwd, "lab-work", "01-demo", "main.go")); err != nil {
		t.Error(err)
	}
}

// After a finished lab, progress and hint point at what is next instead of the lab just done.
func TestNextStepAfterAFinishedLab(t *testing.T) {
	t.Setenv("LAB_WORKSPACE", "")
	dir := t.TempDir()
	course := filepath.Join(dir, "course")
	for _, id := range []string{"01-one", "02-two", "03-three"} {
		if r := run(t, dir, "", "--course", course, "new", id, "--title", "Lab "+id); r.code != 0 {
			t.Fatalf("new %s: %+v", id, r)
		}
	}
	t.Setenv("LAB_COURSE", course)
	home := filepath.Join(dir, "home")
	os.MkdirAll(home, 0o755)
	run(t, home, "", "start", "1", "--no-tui")
	run(t, home, "", "start", "2", "--no-tui")
	w, err := workspace.Find(home, false)
	if err != nil {
		t.Fatal(err)
	}
	pass := func(id string) {
		w.Update(func(s *workspace.State) error {
			s.Lab(id).Tasks = map[string]*workspace.TaskState{"hello": {Status: "pass"}}
			return nil
		})
	}
	pass("02-two")
	labDir := filepath.Join(home, "lab-work", "02-two")

	r := run(t, labDir, "", "progress")
	if r.code != 0 || !strings.Contains(r.out, "Continue: 01 Lab 01-one — `lab check 1`") || strings.Contains(r.out, "lab check 2") {
		t.Errorf("progress with 02 done and 01 started: %+v", r)
	}
	if strings.Contains(r.out, "Workspace: .") {
		t.Errorf("progress shows a relative workspace: %q", r.out)
	}
	pass("01-one")
	r = run(t, labDir, "", "progress")
	if !strings.Contains(r.out, "02 is done. Next: 03 Lab 03-three — `lab start 3`") {
		t.Errorf("progress with 01 and 02 done: %+v", r)
	}
	r = run(t, labDir, "", "hint")
	if r.code != 0 || !strings.Contains(r.out, "this lab is done") || !strings.Contains(r.out, "lab start 3") || strings.Contains(r.out, "Hint 1/") {
		t.Errorf("hint with every task passing: %+v", r)
	}
	r = run(t, labDir, "", "hint", "2", "nosuch")
	if r.code != exitUsage || !strings.Contains(r.err, `has no task "nosuch"; its tasks are hello (like `+"`lab hint 2 hello`)") || strings.Contains(r.err, "[") {
		t.Errorf("hint for an unknown task: %+v", r)
	}
}

// Outside any workspace, check says no lab-work was found and how to start.
func TestCheckOutsideAWorkspace(t *testing.T) {
	t.Setenv("LAB_WORKSPACE", "")
	t.Setenv("LAB_COURSE", demoCourse)
	for _, args := range [][]string{{"check"}, {"check", "1"}, {"progress"}} {
		r := run(t, t.TempDir(), "", args...)
		if r.code != exitUsage || !strings.Contains(r.err, "lab-work folder in") || !strings.Contains(r.err, "lab start 1") {
			t.Errorf("lab %v outside a workspace: %+v", args, r)
		}
	}
}

// lab check from another folder of the workspace says which folder it grades, and warns when
// the learner stands in a different Go module.
func TestCheckNamesTheGradedFolder(t *testing.T) {
	t.Setenv("LAB_WORKSPACE", "")
	t.Setenv("LAB_COURSE", demoCourse)
	home := t.TempDir()
	run(t, home, "", "start", "1", "--no-tui")
	other := filepath.Join(home, "lab-work", "scratch")
	os.MkdirAll(other, 0o755)
	os.WriteFile(filepath.Join(other, "go.mod"), []byte("module example.com/scratch\n\ngo 1.26\n"), 0o644)
	r := run(t, other, "", "check", "1")
	if !strings.Contains(r.err, "Checking 01-demo in ../01-demo") || !strings.Contains(r.err, "note: you are in Go module example.com/scratch (.), not in the lab: lab grades ../01-demo") {
		t.Errorf("check from another module: %+v", r)
	}
	r = run(t, filepath.Join(home, "lab-work", "01-demo"), "", "check")
	if !strings.Contains(r.err, "Checking 01-demo in this folder") || strings.Contains(r.err, "note:") {
		t.Errorf("check in the lab folder: %+v", r)
	}
}
