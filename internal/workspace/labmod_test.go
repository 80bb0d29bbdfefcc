package workspace

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	lab "github.com/learnlab/lab"
	"github.com/learnlab/lab/internal/course"
)

// Every built-in lab, started: its go.mod lists what the lab imports, not lab's own
// dependencies, and it is enough, offline and read-only, for the starter and for the reference
// solution put in its place: a learner who writes what the solution does (pgxpool in their
// tests, a JWT library) never meets "updates to go.mod needed" nor needs a `go get`.
func TestStartedLabsBuildWithTheSolution(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go vet for every lab")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	t.Setenv("LAB_WORKSPACE", "")
	c, err := course.Load(lab.Course, "")
	if err != nil {
		t.Fatal(err)
	}
	w, err := Find(t.TempDir(), true)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range c.Labs {
		t.Run(l.ID, func(t *testing.T) {
			if l.GoMod == nil {
				t.Fatalf("%s has no %s: run `lab --course . dev mod %d`", l.ID, course.LabModFile, l.Number)
			}
			if _, err := w.Start(c, l); err != nil {
				t.Fatal(err)
			}
			dir := w.LabDir(l.ID)
			gomod, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
			for _, tool := range []string{"bubbletea", "glamour", "testcontainers", "buildkit", "cobra"} {
				if bytes.Contains(gomod, []byte(tool)) {
					t.Errorf("go.mod lists lab's own dependency %s:\n%s", tool, gomod)
				}
			}
			vet := func(what string) {
				cmd := exec.Command("go", "vet", ".")
				cmd.Dir = dir
				cmd.Env = append(os.Environ(), "GOFLAGS=-mod=readonly", "GOPROXY=off", "GOWORK=off")
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Errorf("go vet of the %s in a started folder: %v\n%s", what, err, out)
				}
			}
			vet("starter")
			if err := copyPart(c, l, "solution", dir, nil); err != nil {
				t.Fatal(err)
			}
			vet("solution")
			after, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
			if !bytes.Equal(gomod, after) {
				t.Errorf("building the solution changed go.mod:\n--- started\n%s\n--- after\n%s", gomod, after)
			}
		})
	}
}
