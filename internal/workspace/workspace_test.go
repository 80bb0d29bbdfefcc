package workspace

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/learnlab/lab/internal/course"
)

func demoCourse(t *testing.T) *course.Course {
	t.Helper()
	c, err := course.Load(os.DirFS("../course/testdata/course"), "")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestFindWalksUp(t *testing.T) {
	t.Setenv("LAB_WORKSPACE", "")
	root := t.TempDir()
	if _, err := Find(root, false); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Find on empty dir: %v, want ErrNotFound", err)
	}
	w, err := Find(root, true)
	if err != nil {
		t.Fatal(err)
	}
	if w.Dir != filepath.Join(root, DefaultDir) {
		t.Fatalf("created %s, want %s", w.Dir, filepath.Join(root, DefaultDir))
	}
	c := demoCourse(t)
	if _, err := w.Start(c, c.Labs[0]); err != nil {
		t.Fatal(err)
	}
	deep := filepath.Join(w.LabDir("01-demo"))
	for _, from := range []string{root, w.Dir, deep} {
		got, err := Find(from, false)
		if err != nil || got.Dir != w.Dir {
			t.Errorf("Find(%s) = %v, %v; want %s", from, got, err, w.Dir)
		}
	}
	if id := w.LabAt(deep); id != "01-demo" {
		t.Errorf("LabAt(%s) = %q", deep, id)
	}
	if id := w.LabAt(root); id != "" {
		t.Errorf("LabAt(root) = %q, want none", id)
	}
}

func TestFindEnv(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ws")
	t.Setenv("LAB_WORKSPACE", dir)
	if _, err := Find(t.TempDir(), false); err == nil || !strings.Contains(err.Error(), "LAB_WORKSPACE") {
		t.Fatalf("got %v, want an error naming LAB_WORKSPACE", err)
	}
	w, err := Find(t.TempDir(), true)
	if err != nil || w.Dir != dir {
		t.Fatalf("Find = %v, %v; want %s", w, err, dir)
	}
}

func TestStartNeverOverwrites(t *testing.T) {
	w := &Workspace{Dir: t.TempDir()}
	c := demoCourse(t)
	l := c.Labs[0]
	created, err := w.Start(c, l)
	if err != nil || !created {
		t.Fatalf("Start = %v, %v", created, err)
	}
	mod, _ := os.ReadFile(filepath.Join(w.LabDir(l.ID), "go.mod"))
	if !strings.Contains(string(mod), "module labwork/01-demo") || !strings.Contains(string(mod), "go 1.26") {
		t.Errorf("go.mod:\n%s", mod)
	}
	main := filepath.Join(w.LabDir(l.ID), "main.go")
	os.WriteFile(main, []byte("package main // mine\n"), 0o644)
	created, err = w.Start(c, l)
	if err != nil || created {
		t.Fatalf("second Start = %v, %v; want not created", created, err)
	}
	if data, _ := os.ReadFile(main); string(data) != "package main // mine\n" {
		t.Errorf("learner file overwritten: %q", data)
	}
	s, _ := w.Load()
	if s.Current != l.ID || s.Labs[l.ID].StartedAt.IsZero() {
		t.Errorf("state = %+v", s)
	}
}

func TestResetKeepsABackup(t *testing.T) {
	w := &Workspace{Dir: t.TempDir()}
	c := demoCourse(t)
	l := c.Labs[0]
	w.Start(c, l)
	main := filepath.Join(w.LabDir(l.ID), "main.go")
	os.WriteFile(main, []byte("package main // my work\n"), 0o644)
	os.WriteFile(filepath.Join(w.LabDir(l.ID), "notes.txt"), []byte("mine"), 0o644)
	backup, restored, err := w.Reset(c, l, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(restored) != 1 {
		t.Errorf("restored %v", restored)
	}
	if data, _ := os.ReadFile(filepath.Join(backup, "main.go")); string(data) != "package main // my work\n" {
		t.Errorf("backup main.go = %q", data)
	}
	if data, _ := os.ReadFile(filepath.Join(backup, "notes.txt")); string(data) != "mine" {
		t.Errorf("backup notes.txt = %q", data)
	}
	if data, _ := os.ReadFile(main); strings.Contains(string(data), "my work") {
		t.Errorf("main.go not restored: %q", data)
	}
	if _, _, err := w.Reset(c, l, "hello"); err == nil || !strings.Contains(err.Error(), "TODO(hello)") {
		t.Errorf("task reset without TODO markers: %v", err)
	}
}

func TestProgressPassedOnceSticks(t *testing.T) {
	w := &Workspace{Dir: t.TempDir()}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	record := func(status string) {
		t.Helper()
		if err := w.Update(func(s *State) error { s.Lab("01-demo").Record("hello", status, at); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	record("pass")
	record("fail")
	s, err := w.Load()
	if err != nil {
		t.Fatal(err)
	}
	ts := s.Labs["01-demo"].Tasks["hello"]
	if ts.Status != "fail" || !ts.PassedOnce || !ts.PassedAt.Equal(at) {
		t.Errorf("task state = %+v", ts)
	}
}

func TestCorruptStateIsMovedAside(t *testing.T) {
	w := &Workspace{Dir: t.TempDir()}
	os.MkdirAll(w.metaDir(), 0o755)
	os.WriteFile(w.statePath(), []byte("{not json"), 0o644)
	s, err := w.Load()
	if !errors.Is(err, ErrCorrupt) || s == nil || len(s.Labs) != 0 {
		t.Fatalf("Load = %+v, %v; want empty state and ErrCorrupt", s, err)
	}
	matches, _ := filepath.Glob(w.statePath() + ".corrupt-*")
	if len(matches) != 1 {
		t.Fatalf("corrupt file kept as %v", matches)
	}
	if data, _ := os.ReadFile(matches[0]); string(data) != "{not json" {
		t.Errorf("kept %q", data)
	}
	// And the next write works.
	if err := w.Update(func(s *State) error { s.Current = "01-demo"; return nil }); err != nil {
		t.Fatal(err)
	}
	if s, err := w.Load(); err != nil || s.Current != "01-demo" {
		t.Errorf("after update: %+v, %v", s, err)
	}
}

func TestNewerFormatIsRefused(t *testing.T) {
	w := &Workspace{Dir: t.TempDir()}
	os.MkdirAll(w.metaDir(), 0o755)
	os.WriteFile(w.statePath(), []byte(`{"format_version": 99}`), 0o644)
	if _, err := w.Load(); err == nil || !strings.Contains(err.Error(), "update lab") {
		t.Fatalf("got %v", err)
	}
	if _, err := os.Stat(w.statePath()); err != nil {
		t.Error("a newer progress file must be left alone")
	}
}

// Two processes (a TUI in watch mode, a `lab check` in a terminal) write progress at once:
// neither may lose the other's result.
func TestConcurrentUpdatesLoseNothing(t *testing.T) {
	w := &Workspace{Dir: t.TempDir()}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			task := "t" + string(rune('a'+i))
			if err := w.Update(func(s *State) error { s.Lab("01-demo").Record(task, "pass", time.Now()); return nil }); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	s, _ := w.Load()
	if n := len(s.Labs["01-demo"].Tasks); n != 20 {
		t.Errorf("got %d tasks recorded, want 20", n)
	}
}

// A state.json edited by hand or merged badly must never crash a reader: nulls are dropped, and
// any other shape JSON cannot read as progress is moved aside with a message, as today.
func TestMalformedStateNeverPanics(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		corrupt    bool
	}{
		{"null task", `{"format_version":1,"labs":{"01-demo":{"tasks":{"add":null,"greet":{"status":"pass","passed_once":true}}}}}`, false},
		{"null lab", `{"format_version":1,"current":"01-demo","labs":{"01-demo":null}}`, false},
		{"null labs", `{"format_version":1,"labs":null}`, false},
		{"null tasks and hints", `{"format_version":1,"labs":{"01-demo":{"tasks":null,"hints":null}}}`, false},
		{"null file", `null`, true},
		{"labs a list", `{"format_version":1,"labs":[]}`, true},
		{"lab a number", `{"format_version":1,"labs":{"01-demo":5}}`, true},
		{"tasks a string", `{"format_version":1,"labs":{"01-demo":{"tasks":"x"}}}`, true},
		{"version a string", `{"format_version":"1","labs":{}}`, true},
		{"empty", ``, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := &Workspace{Dir: t.TempDir()}
			os.MkdirAll(w.metaDir(), 0o755)
			os.WriteFile(w.statePath(), []byte(tc.data), 0o644)
			s, err := w.Load()
			if tc.corrupt != errors.Is(err, ErrCorrupt) || (err != nil && !tc.corrupt) {
				t.Fatalf("Load: %v (want corrupt=%v)", err, tc.corrupt)
			}
			// What the readers do: count, look up, record.
			for _, ls := range s.Labs {
				ls.Passed()
				for _, ts := range ls.Tasks {
					_ = ts.PassedOnce
				}
			}
			if err := w.Update(func(s *State) error { s.Lab("01-demo").Record("add", "pass", time.Now()); return nil }); err != nil {
				t.Fatal(err)
			}
			s, err = w.Load()
			if err != nil || s.Labs["01-demo"].Tasks["add"].Status != "pass" {
				t.Fatalf("after a check: %+v, %v", s, err)
			}
		})
	}
}
