package checker

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/learnlab/lab/internal/course"
	"github.com/learnlab/lab/internal/workspace"
)

func fixture(t testing.TB) (*course.Course, *course.Lab) {
	t.Helper()
	root, _ := filepath.Abs("testdata/course")
	c, err := course.Load(os.DirFS(root), root)
	if err != nil {
		t.Fatalf("load fixture course: %v", err)
	}
	l, err := c.Resolve("1")
	if err != nil {
		t.Fatal(err)
	}
	return c, l
}

// learner builds a learner's lab folder: the lab's starter or solution (as testdata/learners/
// <name>/base says, starter by default) as `lab start` writes it, then the case's files on top;
// the names listed in its "deleted" file are removed. "hostile/<name>" is testdata/hostile/<name>.
func learner(t testing.TB, c *course.Course, l *course.Lab, name string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), l.ID)
	caseDir := filepath.Join("testdata", "learners", name)
	if strings.HasPrefix(name, "hostile/") {
		caseDir = filepath.Join("testdata", name) // the attacks of issue 13
	}
	base := "starter"
	if b, err := os.ReadFile(filepath.Join(caseDir, "base")); err == nil {
		base = strings.TrimSpace(string(b))
	} else if name == "solution" || name == "starter" {
		base = name
	}
	files, err := c.Files(l, base)
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(dir, 0o755))
	for _, f := range files {
		data, err := c.ReadFile(l, base, f)
		must(err)
		must(os.WriteFile(filepath.Join(dir, f), data, 0o644))
	}
	gomod, err := workspace.ModFile(c, l)
	must(err)
	must(os.WriteFile(filepath.Join(dir, "go.mod"), gomod, 0o644))
	must(os.WriteFile(filepath.Join(dir, "go.sum"), c.GoSum, 0o644))
	if _, err := os.Stat(caseDir); err == nil {
		must(filepath.WalkDir(caseDir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(caseDir, p)
			if rel == "base" || rel == "deleted" {
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			rel = strings.TrimSuffix(rel, ".txt") // go.mod.txt: keeps testdata from being a module
			dst := filepath.Join(dir, rel)
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			return os.WriteFile(dst, data, 0o644)
		}))
		if del, err := os.ReadFile(filepath.Join(caseDir, "deleted")); err == nil {
			for _, f := range strings.Fields(string(del)) {
				must(os.Remove(filepath.Join(dir, f)))
			}
		}
	}
	return dir
}

func check(t testing.TB, name string, opts Options) *Report {
	t.Helper()
	if opts.Course == nil {
		opts.Course, opts.Lab = fixture(t)
	}
	c, l := opts.Course, opts.Lab
	if opts.Dir == "" {
		opts.Dir = learner(t, c, l, name)
	}
	r, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatalf("%s: Run: %v", name, err)
	}
	return r
}

func statuses(r *Report) map[string]Status {
	m := map[string]Status{}
	for _, tr := range r.Tasks {
		m[tr.ID] = tr.Status
	}
	return m
}
