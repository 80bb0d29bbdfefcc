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

// TestRecordKeepsLastReport: Record saves the whole report beside the grades, and LastReport
// reads it back (a reopened workbench shows the failures, not "no results").
func TestRecordKeepsLastReport(t *testing.T) {
	ws := &workspace.Workspace{Dir: t.TempDir()}
	if r, _, err := LastReport(ws, "05-caching"); r != nil || err != nil {
		t.Fatalf("never checked: %v, %v", r, err)
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	rep := &Report{Lab: "05-caching", Status: Fail, Tasks: []TaskResult{{ID: "cache-aside", Status: Fail, Message: "got 2 store calls, want 1",
		Tests: []TestResult{{Name: "TestCacheAsideHit", Status: Fail, Message: "got 2 store calls, want 1", Output: "log line\n"}}}}}
	if err := Record(ws, rep, at); err != nil {
		t.Fatal(err)
	}
	got, when, err := LastReport(ws, "05-caching")
	if err != nil || got == nil || !when.Equal(at) || got.Tasks[0].Tests[0].Output != "log line\n" || got.Tasks[0].Message != rep.Tasks[0].Message {
		t.Fatalf("LastReport = %+v, %v, %v", got, when, err)
	}
	st, _ := ws.Load()
	if st.Labs["05-caching"].Tasks["cache-aside"].Status != "fail" {
		t.Fatalf("grades not recorded: %+v", st.Labs["05-caching"])
	}
	// A damaged file is an error that says the next check replaces it, not a crash.
	os.WriteFile(filepath.Join(ws.Dir, ".lab", "reports", "05-caching.json"), []byte("{"), 0o644)
	if r, _, err := LastReport(ws, "05-caching"); r != nil || err == nil {
		t.Fatalf("corrupt report: %v, %v", r, err)
	}
}
