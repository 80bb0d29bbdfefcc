package workspace

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	lab "github.com/learnlab/lab"
	"github.com/learnlab/lab/internal/course"
)

// Every built-in lab, started: its go.mod lists what the lab imports, not lab's own
// dependencies, and `go mod tidy` there, offline, changes neither go.mod nor go.sum.
func TestStartedLabsAreTidy(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go mod tidy for every lab")
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
			before, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
			beforeSum, _ := os.ReadFile(filepath.Join(dir, "go.sum"))
			for _, tool := range []string{"bubbletea", "glamour", "testcontainers", "buildkit", "cobra"} {
				if bytes.Contains(before, []byte(tool)) {
					t.Errorf("go.mod lists lab's own dependency %s:\n%s", tool, before)
				}
			}
			cmd := exec.Command("go", "mod", "tidy")
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("go mod tidy: %v\n%s", err, out)
			}
			after, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
			afterSum, _ := os.ReadFile(filepath.Join(dir, "go.sum"))
			if !bytes.Equal(before, after) {
				t.Errorf("go mod tidy changed go.mod:\n--- started\n%s\n--- tidied\n%s", before, after)
			}
			if !bytes.Equal(beforeSum, afterSum) {
				t.Errorf("go mod tidy changed go.sum (%d -> %d lines)", strings.Count(string(beforeSum), "\n"), strings.Count(string(afterSum), "\n"))
			}
		})
	}
}
