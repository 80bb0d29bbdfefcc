package checker

import (
	"os"
	"path/filepath"
	"testing"
)

// Honest code reached through a symlink (macOS /tmp and /var are symlinks) gets its grade: the
// go command must see the path lab was given, the one the -overlay keys are made from, not the
// physical one (issue 13: 0/5, "did not run").
func TestSolutionThroughSymlink(t *testing.T) {
	t.Setenv("PWD", "/") // lab's own PWD names another folder, as when run from anywhere
	c, l := fixture(t)
	dir := learner(t, c, l, "solution")
	link := filepath.Join(t.TempDir(), "via-link")
	if err := os.Symlink(filepath.Dir(dir), link); err != nil {
		t.Fatal(err)
	}
	r := check(t, "solution", Options{Course: c, Lab: l, Dir: filepath.Join(link, filepath.Base(dir))})
	wantTasks(t, r, map[string]Status{"add": Pass, "greet": Pass, "newer": Pass})
}
