package checker

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/learnlab/lab/internal/workspace"
)

// A state.json with a null task crashed `lab check` in PassedBefore (issue 13).
func TestNullTaskInState(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, ".lab"), 0o755); err != nil {
		t.Fatal(err)
	}
	w := &workspace.Workspace{Dir: dir}
	state := `{"format_version":1,"labs":{"01-demo":{"tasks":{"add":null,"greet":{"status":"pass","passed_once":true}}},"02-x":null}}`
	if err := os.WriteFile(filepath.Join(dir, ".lab", "state.json"), []byte(state), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := w.Load()
	if err != nil {
		t.Fatal(err)
	}
	if got := PassedBefore(s, "01-demo"); !got["greet"] || got["add"] {
		t.Errorf("PassedBefore = %v, want greet only", got)
	}
	_ = PassedBefore(s, "02-x")
	r := &Report{Lab: "01-demo", Tasks: []TaskResult{{ID: "add", Status: Pass}}}
	if err := Record(w, r, time.Now()); err != nil {
		t.Fatal(err)
	}
}
