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
)

func TestDevCheckFixtureIsValid(t *testing.T) {
	t.Parallel()
	c, _ := fixture(t)
	res, err := DevCheck(context.Background(), DevOptions{Course: c})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if !r.OK() {
			t.Errorf("%s:\n%s", r.Lab.ID, strings.Join(r.Problems, "\n"))
		}
	}
}

// brokenCourse is the fixture with the solution as starter, an unlisted hidden test, a
// missing hint and a TODO marker gone.
func brokenCourse(t *testing.T) *course.Course {
	m := fixtureMap(t)
	lab := "labs/01-tiny/"
	m[lab+"starter/main.go"] = m[lab+"solution/main.go"]
	m[lab+"check/extra_test.go"] = &fstest.MapFile{Data: []byte("//go:build labcheck\n\npackage main\n\nimport \"testing\"\n\nfunc TestOrphan(t *testing.T) {}\n")}
	m[lab+"lab.toml"] = &fstest.MapFile{Data: []byte(strings.Replace(string(m[lab+"lab.toml"].Data), `hints = ["Read r.URL.Query().Get(\"name\")."]`, `hints = []`, 1))}
	c, err := course.Load(m, "")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// fixtureMap is the fixture course as a MapFS a test can break.
func fixtureMap(t *testing.T) fstest.MapFS {
	root, _ := filepath.Abs("testdata/course")
	m := fstest.MapFS{}
	fs.WalkDir(os.DirFS(root), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := fs.ReadFile(os.DirFS(root), p)
			m[p] = &fstest.MapFile{Data: data}
		}
		return nil
	})
	return m
}

func TestDevCheckFindsProblems(t *testing.T) {
	t.Parallel()
	c := brokenCourse(t)
	res, err := DevCheck(context.Background(), DevOptions{Course: c})
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(res[0].Problems, "\n")
	for _, want := range []string{
		"TestOrphan belongs to no task",
		`task "greet" has no hints`,
		`no file holds a ` + "`// TODO(add)`",
		`task "add" already passes on the starter`,
		`task "newer" already passes on the starter`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("problems lack %q:\n%s", want, all)
		}
	}
}

func TestDevCheckVariantsCoverage(t *testing.T) {
	t.Parallel()
	c, _ := fixture(t)
	res, err := DevCheck(context.Background(), DevOptions{Course: c, RequireVariants: true})
	if err != nil {
		t.Fatal(err)
	}
	if !res[0].OK() {
		t.Fatalf("problems:\n%s", strings.Join(res[0].Problems, "\n"))
	}
	cov := strings.Join(res[0].Coverage, "\n")
	for _, want := range []string{
		"task add: 1 wrong variant(s) refused 1/1 (add-minus)",
		"task greet: 1 wrong variant(s) refused 1/1 (greet-no-default)",
		"task newer: 1 wrong variant(s) refused 1/1 (newer-lexical)",
		"2 alternative solution(s)",
	} {
		if !strings.Contains(cov, want) {
			t.Errorf("coverage lacks %q:\n%s", want, cov)
		}
	}
}

// A wrong variant its task does not refuse, an alternative the tests refuse, and broken
// variant.toml files are each a problem that names the file and says what to change.
func TestDevCheckVariantsFindProblems(t *testing.T) {
	t.Parallel()
	m := fixtureMap(t)
	lab := "labs/01-tiny/check/"
	// Planted in newer, blamed on greet: greet's tests cannot refuse it.
	m[lab+"wrong/misfiled/main.go"] = m[lab+"wrong/newer-lexical/main.go"]
	m[lab+"wrong/misfiled/variant.toml"] = &fstest.MapFile{Data: []byte("task = \"greet\"\nwhy = \"a bug in newer, blamed on greet\"\n")}
	// Not a correct design: greets without the default.
	m[lab+"alt/not-really/main.go"] = m[lab+"wrong/greet-no-default/main.go"]
	m[lab+"alt/not-really/variant.toml"] = &fstest.MapFile{Data: []byte("why = \"claims to be correct\"\n")}
	m[lab+"wrong/typo/main.go"] = m[lab+"wrong/add-minus/main.go"]
	m[lab+"wrong/typo/variant.toml"] = &fstest.MapFile{Data: []byte("task = \"nosuch\"\nwhy = \"x\"\ncolour = 1\n")}
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
		`labs/01-tiny/check/wrong/typo/variant.toml:3: unknown key "colour"`,
		`labs/01-tiny/check/wrong/typo/variant.toml:1: task "nosuch" is not a task of 01-tiny (tasks: add, greet, newer)`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("problems lack %q:\n%s", want, all)
		}
	}
	delete(m, lab+"wrong/typo/main.go")
	delete(m, lab+"wrong/typo/variant.toml")
	if c, err = course.Load(m, ""); err != nil {
		t.Fatal(err)
	}
	if res, err = DevCheck(context.Background(), DevOptions{Course: c, RequireVariants: true}); err != nil {
		t.Fatal(err)
	}
	all = strings.Join(res[0].Problems, "\n")
	for _, want := range []string{
		`labs/01-tiny/check/wrong/misfiled (a bug in newer, blamed on greet): task "greet" refused it in 0 of 1 runs; the hidden tests miss this bug (tests: TestGreet, TestGreetDefault)`,
		`labs/01-tiny/check/alt/not-really (claims to be correct): task "greet" refuses this correct design (run 1 of 1)`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("problems lack %q:\n%s", want, all)
		}
	}
}
