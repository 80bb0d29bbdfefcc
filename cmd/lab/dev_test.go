package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An instructor's first steps: `lab new` gives a lab that `lab dev check` accepts as it
// stands, and each way of breaking it is caught with a message that says where.
func TestScaffoldPassesDevCheckAndEachBreakIsCaught(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the Go toolchain")
	}
	t.Setenv("LAB_WORKSPACE", "")
	newCourse := func(t *testing.T) string {
		dir := filepath.Join(t.TempDir(), "course")
		os.MkdirAll(dir, 0o755)
		// A course that needs no module downloads: the scaffold uses only the standard library.
		os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/course\n\ngo 1.26\n"), 0o644)
		if r := run(t, dir, "", "--course", dir, "new", "01-hello", "--title", "Hello"); r.code != 0 {
			t.Fatalf("new: %+v", r)
		}
		return dir
	}
	dir := newCourse(t)
	if r := run(t, dir, "", "--course", dir, "dev", "check", "1"); r.code != 0 {
		t.Fatalf("dev check of the scaffold: %+v", r)
	}

	lab := func(dir string, parts ...string) string {
		return filepath.Join(append([]string{dir, "labs", "01-hello"}, parts...)...)
	}
	edit := func(t *testing.T, path, old, new string) {
		data, err := os.ReadFile(path)
		if err != nil || !strings.Contains(string(data), old) {
			t.Fatalf("%s does not contain %q", path, old)
		}
		os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644)
	}
	cases := []struct {
		name   string
		break_ func(t *testing.T, dir string)
		want   string
	}{
		{"unknown key", func(t *testing.T, d string) { edit(t, lab(d, "lab.toml"), "timeout =", "timeot =") }, `lab.toml:5: unknown key "timeot"`},
		{"test in no task", func(t *testing.T, d string) {
			edit(t, lab(d, "check", "hello_test.go"), "func TestHelloReturnsJSON", "func TestOrphan(t *testing.T) {}\n\nfunc TestHelloReturnsJSON")
		}, "TestOrphan belongs to no task"},
		{"listed test missing", func(t *testing.T, d string) {
			edit(t, lab(d, "lab.toml"), `tests = ["TestHelloReturnsJSON"]`, `tests = ["TestHelloReturnsJSON", "TestGone"]`)
		}, "lists TestGone, which no check/*_test.go defines"},
		{"starter already passes", func(t *testing.T, d string) {
			data, _ := os.ReadFile(lab(d, "solution", "main.go"))
			os.WriteFile(lab(d, "starter", "main.go"), append(data, []byte("\n// TODO(hello): done already\n")...), 0o644)
		}, `task "hello" already passes on the starter`},
		{"solution fails", func(t *testing.T, d string) {
			edit(t, lab(d, "solution", "main.go"), `"message": "hello"`, `"message": "bye"`)
		}, `solution: task "hello" does not pass`},
		{"no hints", func(t *testing.T, d string) {
			data, _ := os.ReadFile(lab(d, "lab.toml"))
			s := string(data)
			os.WriteFile(lab(d, "lab.toml"), []byte(s[:strings.Index(s, "hints = [")]), 0o644)
		}, `task "hello" has no hints`},
		{"no TODO marker", func(t *testing.T, d string) { edit(t, lab(d, "starter", "main.go"), "TODO(hello)", "NOTE") }, "no file holds a `// TODO(hello)` marker"},
		{"no lesson section", func(t *testing.T, d string) {
			edit(t, filepath.Join(d, "lessons", "01-hello.md"), "## Task: hello", "## Hello")
		}, `task "hello" has no section`},
		{"starter does not compile", func(t *testing.T, d string) {
			edit(t, lab(d, "starter", "main.go"), "func main() {", "func main() { x := 1")
		}, "starter: `go build` fails"},
		{"stale lab.mod", func(t *testing.T, d string) {
			edit(t, lab(d, "lab.mod"), "go ", "require example.com/gone v1.0.0\n\ngo ")
		}, "labs/01-hello/lab.mod is stale"},
		{"no lab.mod", func(t *testing.T, d string) { os.Remove(lab(d, "lab.mod")) }, "labs/01-hello/lab.mod: missing"},
		{"stray folder", func(t *testing.T, d string) {
			os.MkdirAll(lab(d, "scratch"), 0o755)
			os.WriteFile(lab(d, "scratch", "notes.txt"), []byte("x"), 0o644)
		}, "labs/01-hello/scratch: not part of a lab"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := newCourse(t)
			tc.break_(t, d)
			r := run(t, d, "", "--course", d, "dev", "check", "1")
			if r.code == 0 || !strings.Contains(r.out+r.err, tc.want) {
				t.Errorf("dev check after %s: code %d, want a failure mentioning %q\nstdout:\n%s\nstderr:\n%s", tc.name, r.code, tc.want, r.out, r.err)
			}
		})
	}
}

// A new course is a module of its own, named after its folder or by --module, with only what
// its labs import (nothing, for the scaffold): not a copy of lab's own go.mod.
func TestNewCourseHasItsOwnMinimalGoMod(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the Go toolchain")
	}
	t.Setenv("LAB_WORKSPACE", "")
	dir := filepath.Join(t.TempDir(), "WebSockets Course")
	r := run(t, t.TempDir(), "", "--course", dir, "new", "01-hello", "--title", "Hello")
	if r.code != 0 || !strings.Contains(r.out, "example.com/websockets-course") {
		t.Fatalf("new: %+v", r)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
	if !strings.HasPrefix(string(data), "module example.com/websockets-course\n") || strings.Contains(string(data), "require") {
		t.Errorf("new course go.mod:\n%s", data)
	}
	if _, err := os.Stat(filepath.Join(dir, "labs", "01-hello", "lab.mod")); err != nil {
		t.Errorf("no lab.mod for the new lab: %v", err)
	}
	named := filepath.Join(t.TempDir(), "c")
	if r := run(t, t.TempDir(), "", "--course", named, "new", "01-hello", "--title", "Hello", "--module", "example.org/teach/ws"); r.code != 0 {
		t.Fatalf("new --module: %+v", r)
	}
	if data, _ := os.ReadFile(filepath.Join(named, "go.mod")); !strings.HasPrefix(string(data), "module example.org/teach/ws\n") {
		t.Errorf("--module ignored:\n%s", data)
	}
	if r := run(t, t.TempDir(), "", "--course", named, "new", "02-more", "--title", "More", "--module", "x.org/y"); r.code != exitUsage {
		t.Errorf("--module on an existing course: %+v", r)
	}
}
