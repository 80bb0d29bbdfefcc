package checker

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/learnlab/lab/internal/course"
	"github.com/learnlab/lab/internal/workspace"
)

// mutationFixture is testdata/mutation: lab 01-clamp, mode = "mutation", two tasks with one
// mutant each, no services.
func mutationFixture(t testing.TB) (*course.Course, *course.Lab) {
	t.Helper()
	root, _ := filepath.Abs("testdata/mutation")
	c, err := course.Load(os.DirFS(root), root)
	if err != nil {
		t.Fatalf("load mutation fixture: %v", err)
	}
	l, err := c.Resolve("1")
	if err != nil {
		t.Fatal(err)
	}
	return c, l
}

// mutationLearner writes a learner's folder: the lab part base as `lab start` would, then files
// on top (an empty content deletes the file).
func mutationLearner(t testing.TB, c *course.Course, l *course.Lab, base string, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), l.ID)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	names, err := c.Files(l, base)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		data, _ := c.ReadFile(l, base, n)
		os.WriteFile(filepath.Join(dir, n), data, 0o644)
	}
	gomod, err := workspace.ModFile(c, l)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "go.mod"), gomod, 0o644)
	os.WriteFile(filepath.Join(dir, "go.sum"), c.GoSum, 0o644)
	for n, data := range files {
		if data == "" {
			os.Remove(filepath.Join(dir, n))
			continue
		}
		os.WriteFile(filepath.Join(dir, n), []byte(data), 0o644)
	}
	return dir
}

func mutationCheck(t *testing.T, base string, files map[string]string) *Report {
	t.Helper()
	c, l := mutationFixture(t)
	r, err := Run(context.Background(), Options{Course: c, Lab: l, Dir: mutationLearner(t, c, l, base, files)})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return r
}

func taskOf(t *testing.T, r *Report, id string) TaskResult {
	t.Helper()
	for _, tr := range r.Tasks {
		if tr.ID == id {
			return tr
		}
	}
	t.Fatalf("report has no task %q: %+v", id, r)
	return TaskResult{}
}

func testOf(t *testing.T, tr TaskResult, name string) TestResult {
	t.Helper()
	for _, tt := range tr.Tests {
		if tt.Name == name {
			return tt
		}
	}
	t.Fatalf("task %s has no test %q: %+v", tr.ID, name, tr.Tests)
	return TestResult{}
}

func TestMutationSolutionKillsEveryMutant(t *testing.T) {
	t.Parallel()
	r := mutationCheck(t, "solution", nil)
	if r.Status != Pass {
		t.Fatalf("solution: %s %s\n%+v", r.Status, r.Message, r.Tasks)
	}
	clamp := taskOf(t, r, "clamp")
	if m := testOf(t, clamp, "mutant:upper-bound"); m.Status != Pass || !strings.HasPrefix(m.Message, "killed by TestClamp: clamp_test.go:") {
		t.Errorf("mutant:upper-bound = %s %q, want pass, killed by TestClamp with its message", m.Status, m.Message)
	}
	if tt := testOf(t, taskOf(t, r, "parse"), "TestParseRejects"); tt.Status != Pass {
		t.Errorf("TestParseRejects on the reference: %s %q", tt.Status, tt.Message)
	}
	if len(r.Notes) != 0 {
		t.Errorf("notes %q, want none (nothing edited)", r.Notes)
	}
}

func TestMutationStarterKillsNone(t *testing.T) {
	t.Parallel()
	r := mutationCheck(t, "starter", nil)
	if r.Status != Fail {
		t.Fatalf("starter: %s %s", r.Status, r.Message)
	}
	for id, want := range map[string]string{
		"clamp": "survived: values above the range are not clamped",
		"parse": "survived: a bad input is accepted as 0 (the error is swallowed)",
	} {
		if tr := taskOf(t, r, id); tr.Status != Fail || tr.Message != want {
			t.Errorf("task %s = %s %q, want fail %q", id, tr.Status, tr.Message, want)
		}
	}
}

// A false alarm in one task fails that task only, its mutants are not run, and the learner's
// edits to the code under test are ignored (and said so).
func TestMutationFalseAlarmAndEditedCode(t *testing.T) {
	t.Parallel()
	c, l := mutationFixture(t)
	sol, _ := c.ReadFile(l, "solution", "clamp_test.go")
	code, _ := c.ReadFile(l, "starter", "clamp.go")
	r := mutationCheck(t, "starter", map[string]string{
		"clamp_test.go": strings.Replace(string(sol), "func TestParseRejects", "func testParseRejects", 1),
		"parse_test.go": "package main\n\nimport \"testing\"\n\nfunc TestParsePercent(t *testing.T) {\n\tif n, _ := ParsePercent(\"100\"); n != 99 {\n\t\tt.Errorf(\"ParsePercent(100) = %d, want 99\", n)\n\t}\n}\n",
		// A learner "fix" that would make both the false alarm pass and the mutant survive.
		"clamp.go": strings.Replace(string(code), "return hi", "return hi - 1", 1),
	})
	parse := taskOf(t, r, "parse")
	if parse.Status != Fail || !strings.Contains(parse.Message, "TestParsePercent fails on the correct code (a false alarm): parse_test.go:7: ParsePercent(100) = 100, want 99") {
		t.Errorf("parse = %s %q, want a false alarm naming the test and its message", parse.Status, parse.Message)
	}
	if m := testOf(t, parse, "mutant:no-error"); m.Status != Fail || !strings.HasPrefix(m.Message, "not run") {
		t.Errorf("mutant:no-error = %s %q, want not run", m.Status, m.Message)
	}
	if clamp := taskOf(t, r, "clamp"); clamp.Status != Pass {
		t.Errorf("clamp = %s %q, want pass (graded on the reference, not the learner's clamp.go)", clamp.Status, clamp.Message)
	}
	if len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "your changes to clamp.go are not graded") {
		t.Errorf("notes %q, want one about clamp.go", r.Notes)
	}
}

// A test that counts runs (passes the first time, fails after) would kill every mutant; the
// control run at a random place among them exposes it, wherever it falls.
func TestMutationRunCountingTestIsAFalseAlarm(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "ran")
	t.Setenv("LAB_TEST_MARKER", marker)
	c, l := mutationFixture(t)
	sol, _ := c.ReadFile(l, "solution", "clamp_test.go")
	cheat := `
func TestClampCounting(t *testing.T) {
	p := os.Getenv("LAB_TEST_MARKER")
	if _, err := os.Stat(p); err == nil {
		t.Fatal("not the first run")
	}
	os.WriteFile(p, nil, 0o644)
}
`
	src := strings.Replace(string(sol), `import "testing"`, "import (\n\t\"os\"\n\t\"testing\"\n)", 1) + cheat
	r := mutationCheck(t, "starter", map[string]string{"clamp_test.go": strings.Replace(src, "{5, 3}", "{2, 2}", 1)})
	clamp := taskOf(t, r, "clamp")
	if clamp.Status != Fail || !strings.Contains(clamp.Message, "TestClampCounting cannot be trusted (a false alarm)") {
		t.Fatalf("clamp = %s %q, want TestClampCounting as a false alarm", clamp.Status, clamp.Message)
	}
	if tt := testOf(t, clamp, "TestClampCounting"); !strings.Contains(tt.Message, "then failed when run again") || strings.Contains(tt.Message, "fails on the correct code") {
		t.Errorf("TestClampCounting message %q, want the explanation of a second run", tt.Message)
	}
	if m := testOf(t, clamp, "mutant:upper-bound"); m.Status != Fail {
		t.Errorf("mutant:upper-bound = %s %q: only the counting test fails on it, which must not count", m.Status, m.Message)
	}
}

func TestMutationCompileErrorAndMissingTests(t *testing.T) {
	t.Parallel()
	r := mutationCheck(t, "starter", map[string]string{
		"clamp_test.go": "package main\n\nimport \"testing\"\n\nfunc TestClamp(t *testing.T) {\n\tif helper() != 1 {\n\t\tt.Fail()\n\t}\n}\n",
		"helper.go":     "package main\n\nfunc helper() int { return 1 }\n",
	})
	if r.Status != Error || !strings.Contains(r.Message, "your tests do not compile against the lab's code") ||
		!strings.Contains(r.Message, "undefined: helper") || !strings.Contains(r.Message, "keep test helpers in _test.go files") {
		t.Errorf("report = %s %q, want a compile error explaining that non-test files are the course's", r.Status, r.Message)
	}
	parse := taskOf(t, r, "parse")
	if parse.Status != Error {
		t.Errorf("parse = %s %q, want error (not graded)", parse.Status, parse.Message)
	}

	r = mutationCheck(t, "solution", map[string]string{"clamp_test.go": strings.Replace(mustRead(t, "testdata/mutation/labs/01-clamp/solution/clamp_test.go"), "func TestParseRejects", "func parseRejects", 1)})
	if parse := taskOf(t, r, "parse"); parse.Status != Fail || !strings.HasPrefix(parse.Message, "no tests for this task: write Test functions whose names start with TestParse") {
		t.Errorf("parse without tests = %s %q", parse.Status, parse.Message)
	}
	if clamp := taskOf(t, r, "clamp"); clamp.Status != Pass {
		t.Errorf("clamp = %s %q, want pass", clamp.Status, clamp.Message)
	}
}

func mustRead(t *testing.T, p string) string {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestDevCheckMutationFixture(t *testing.T) {
	t.Parallel()
	c, _ := mutationFixture(t)
	res, err := DevCheck(context.Background(), DevOptions{Course: c})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || !res[0].OK() || res[0].Skipped != "" {
		t.Fatalf("dev check of the mutation fixture: %+v", res)
	}
}

// The static checks of a mutation lab: they stop dev check before anything runs.
func TestDevCheckMutationFindsProblems(t *testing.T) {
	t.Parallel()
	root, _ := filepath.Abs("testdata/mutation")
	m := fstest.MapFS{}
	fs.WalkDir(os.DirFS(root), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := fs.ReadFile(os.DirFS(root), p)
			m[p] = &fstest.MapFile{Data: data}
		}
		return nil
	})
	lab := "labs/01-clamp/"
	code := m[lab+"starter/clamp.go"].Data
	m[lab+"check/mutants/stray/clamp.go"] = &fstest.MapFile{Data: code}
	m[lab+"check/mutants/upper-bound/clamp.go"] = &fstest.MapFile{Data: append([]byte("//go:build labcheck\n\n"), code...)}
	m[lab+"check/mutants/no-error/clamp.go"] = &fstest.MapFile{Data: code}
	m[lab+"check/mutants/no-error/other.go"] = &fstest.MapFile{Data: []byte("//go:build labcheck\n\npackage main\n")}
	m[lab+"solution/clamp.go"] = &fstest.MapFile{Data: append(code, "\n// changed\n"...)}
	c, err := course.Load(m, "")
	if err != nil {
		t.Fatal(err)
	}
	res, err := DevCheck(context.Background(), DevOptions{Course: c})
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(res[0].Problems, "\n")
	for _, want := range []string{
		`mutant "stray" belongs to no task`,
		`check/mutants/upper-bound/clamp.go: identical to the starter's clamp.go`,
		`check/mutants/no-error/clamp.go: must start with ` + "`//go:build labcheck`",
		`check/mutants/no-error/other.go: replaces other.go, which the starter does not have`,
		`solution/clamp.go differs from the starter's`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("problems lack %q:\n%s", want, all)
		}
	}
}
