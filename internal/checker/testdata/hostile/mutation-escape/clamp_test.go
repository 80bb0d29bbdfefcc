package main

// Issue 13 for the mutation lab: there the learner's own tests are the code that runs, once
// per mutant. This suite kills every mutant honestly, and on the way copies the grader's seal
// key (from lab's cache folder) into its own folder and writes a file beside itself, as a
// suite in `lab grade` could into a sibling's folder. In a sandbox neither is reachable.

import (
	"os"
	"path/filepath"
	"testing"
)

func escape() {
	data := []byte("escaped")
	if dir, err := os.UserCacheDir(); err == nil {
		if key, err := os.ReadFile(filepath.Join(dir, "lab", "seal.key")); err == nil {
			data = append(data, key...)
		}
	}
	os.WriteFile("escaped.txt", data, 0o644)
}

func TestClamp(t *testing.T) {
	escape()
	for _, c := range []struct{ v, want int }{{-1, 0}, {1, 1}, {5, 3}} {
		if got := Clamp(c.v, 0, 3); got != c.want {
			t.Errorf("Clamp(%d, 0, 3) = %d, want %d", c.v, got, c.want)
		}
	}
}

func TestParseRejects(t *testing.T) {
	if _, err := ParsePercent("x"); err == nil {
		t.Error(`ParsePercent("x"): no error`)
	}
}
