package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Two labs with one number hide each other (`lab start 13` can only mean one): lab new refuses.
func TestNewRefusesATakenNumber(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "course")
	if r := run(t, t.TempDir(), "", "--course", dir, "new", "13-websockets", "--title", "WebSockets"); r.code != 0 {
		t.Fatalf("new: %+v", r)
	}
	r := run(t, t.TempDir(), "", "--course", dir, "new", "13-other", "--title", "Other")
	if r.code != exitUsage || !strings.Contains(r.err, "number 13 is taken by") || !strings.Contains(r.err, "13-websockets") {
		t.Errorf("second lab 13: %+v", r)
	}
	if _, err := os.Stat(filepath.Join(dir, "labs", "13-other")); err == nil {
		t.Error("13-other was written anyway")
	}
}

func TestNewWritesAGitignoreForBuildOutput(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "course")
	if r := run(t, t.TempDir(), "", "--course", dir, "new", "01-hello", "--title", "Hello"); r.code != 0 || !strings.Contains(r.out, ".gitignore") {
		t.Fatalf("new: %+v", r)
	}
	data, err := os.ReadFile(filepath.Join(dir, ".gitignore"))
	if err != nil || !strings.Contains(string(data), "/labs/*/starter/starter") {
		t.Fatalf(".gitignore: %v\n%s", err, data)
	}
}
