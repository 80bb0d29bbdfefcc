package checker

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/learnlab/lab/internal/course"
	"github.com/learnlab/lab/internal/workspace"
)

// repoLab loads one lab of the built-in course from the repository on disk (other labs may be
// unfinished: their problems are ignored here, dev check reports them).
func repoLab(t *testing.T, id string) (*course.Course, *course.Lab) {
	t.Helper()
	root, _ := filepath.Abs("../..")
	if _, err := os.Stat(filepath.Join(root, "labs", id, "lab.toml")); err != nil {
		t.Skipf("labs/%s is not there yet", id)
	}
	c, err := course.Load(os.DirFS(root), root)
	if c == nil {
		t.Fatal(err)
	}
	for _, l := range c.Labs {
		if l.ID == id {
			return c, l
		}
	}
	t.Fatalf("labs/%s does not load: %v", id, err)
	return nil, nil
}

// mixed is the starter with the solution's version of the files holding the given tasks' TODOs.
func mixed(t *testing.T, c *course.Course, l *course.Lab, done []string) string {
	dir := filepath.Join(t.TempDir(), l.ID)
	os.MkdirAll(dir, 0o755)
	files, _ := c.Files(l, "starter")
	take := map[string]bool{}
	for _, id := range done {
		tf, err := workspace.TaskFiles(c, l, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range tf {
			take[f] = true
		}
	}
	for _, f := range files {
		part := "starter"
		if take[f] {
			part = "solution"
		}
		data, err := c.ReadFile(l, part, f)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, f), data, 0o644)
	}
	gomod, _ := workspace.ModFile(c, l)
	os.WriteFile(filepath.Join(dir, "go.mod"), gomod, 0o644)
	os.WriteFile(filepath.Join(dir, "go.sum"), c.GoSum, 0o644)
	return dir
}

func TestLab01EndToEnd(t *testing.T) {
	c, l := repoLab(t, "01-rest-api")
	var all []string
	for _, task := range l.Tasks {
		all = append(all, task.ID)
	}
	// Half done: the first two tasks (their TODOs are in files of their own).
	half := all[:2]
	for _, tc := range []struct {
		name string
		done []string
	}{{"starter", nil}, {"half", half}, {"solution", all}} {
		t.Run(tc.name, func(t *testing.T) {
			r := check(t, "", Options{Course: c, Lab: l, Dir: mixed(t, c, l, tc.done)})
			want := map[string]bool{}
			for _, id := range tc.done {
				want[id] = true
			}
			var got []string
			for _, tr := range r.Tasks {
				if tr.Status == Pass {
					got = append(got, tr.ID)
				}
				if (tr.Status == Pass) != want[tr.ID] {
					t.Errorf("task %s: %s (message: %s)", tr.ID, tr.Status, tr.Message)
				}
				if tr.Status != Pass && tr.Status != Fail {
					t.Errorf("task %s: status %s, want fail: %s", tr.ID, tr.Status, r.Message)
				}
				for _, tt := range tr.Tests {
					if tt.Status != Pass && (tt.Message == "" || strings.HasPrefix(tt.Message, "did not run")) {
						t.Errorf("%s: unhelpful message %q", tt.Name, tt.Message)
					}
				}
			}
			sort.Strings(got)
			t.Logf("%s: passing %v (%s)", tc.name, got, r.Duration)
		})
	}
}
