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
	root, _ := filepath.Abs("testdata/course")
	m := fstest.MapFS{}
	fs.WalkDir(os.DirFS(root), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := fs.ReadFile(os.DirFS(root), p)
			m[p] = &fstest.MapFile{Data: data}
		}
		return nil
	})
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
