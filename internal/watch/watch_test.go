package watch

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func wait(t *testing.T, w *Watcher, d time.Duration) (Change, bool) {
	t.Helper()
	select {
	case c := <-w.Changes():
		return c, true
	case <-time.After(d):
		return Change{}, false
	}
}

func testWatch(t *testing.T, poll bool) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n"), 0o644)
	os.MkdirAll(filepath.Join(dir, ".lab"), 0o755)
	w, err := New(dir, Options{Poll: poll, PollInterval: 50 * time.Millisecond, Debounce: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if poll && w.Mode != ModePoll {
		t.Fatalf("mode %s", w.Mode)
	}
	t.Log(w.Describe())

	// Ignored writes: lab's folder and swap files.
	os.WriteFile(filepath.Join(dir, ".lab", "state.json"), []byte("{}"), 0o644)
	os.WriteFile(filepath.Join(dir, ".main.go.swp"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(dir, "4913"), []byte("x"), 0o644)
	if c, ok := wait(t, w, 400*time.Millisecond); ok {
		t.Fatalf("change for ignored files: %v", c.Paths)
	}

	// A burst of writes is one change. Save by rename, as vim and many editors do.
	for i := 0; i < 3; i++ {
		tmp := filepath.Join(dir, "main.go~")
		os.WriteFile(tmp, []byte("package main // v2\n"), 0o644)
		os.Rename(tmp, filepath.Join(dir, "main.go"))
		time.Sleep(20 * time.Millisecond)
	}
	c, ok := wait(t, w, 2*time.Second)
	if !ok {
		t.Fatal("no change after save by rename")
	}
	if len(c.Paths) != 1 || c.Paths[0] != "main.go" {
		t.Fatalf("paths %v, want [main.go]", c.Paths)
	}
	if c2, ok := wait(t, w, 300*time.Millisecond); ok {
		t.Fatalf("burst gave a second change: %v", c2.Paths)
	}

	// New subfolder, then a file in it.
	os.MkdirAll(filepath.Join(dir, "store"), 0o755)
	time.Sleep(50 * time.Millisecond)
	os.WriteFile(filepath.Join(dir, "store", "s.go"), []byte("package main\n"), 0o644)
	c, ok = wait(t, w, 2*time.Second)
	if !ok {
		t.Fatal("no change for a file in a new folder")
	}
	found := false
	for _, p := range c.Paths {
		if p == "store/s.go" {
			found = true
		}
	}
	if !found {
		t.Fatalf("paths %v lack store/s.go", c.Paths)
	}

	// Paused: dropped.
	w.Pause()
	os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main // v3\n"), 0o644)
	time.Sleep(250 * time.Millisecond)
	w.Resume()
	if c, ok := wait(t, w, 400*time.Millisecond); ok {
		t.Fatalf("change during pause reported: %v", c.Paths)
	}
}

func TestNotify(t *testing.T) { testWatch(t, false) }
func TestPoll(t *testing.T)   { testWatch(t, true) }

func TestDefaultIgnore(t *testing.T) {
	for rel, want := range map[string]bool{
		"main.go": false, "a/b.go": false, ".lab/state.json": true, "main.go~": true,
		".main.go.swp": true, "4913": true, ".#main.go": true, "#main.go#": true, ".git/HEAD": true,
	} {
		if got := DefaultIgnore(rel, false); got != want {
			t.Errorf("DefaultIgnore(%q) = %v, want %v", rel, got, want)
		}
	}
}
