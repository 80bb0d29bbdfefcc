package course

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"
	"testing/fstest"
)

// fixture copies testdata/course into a MapFS, so each case can replace one file.
func fixture(t *testing.T) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	root := os.DirFS("testdata/course")
	err := fs.WalkDir(root, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(root, p)
		m[p] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestLoadValid(t *testing.T) {
	c, err := Load(fixture(t), "")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(c.Labs) != 1 {
		t.Fatalf("got %d labs, want 1", len(c.Labs))
	}
	l := c.Labs[0]
	if l.ID != "01-demo" || l.Number != 1 || l.Slug != "demo" || l.Title != "Demo" || l.Timeout.String() != "30s" || l.Mode != ModeTests {
		t.Errorf("lab = %+v", l)
	}
	if got := len(l.Tasks); got != 2 {
		t.Fatalf("got %d tasks, want 2", got)
	}
	if l.Tasks[1].Line != 12 {
		t.Errorf("task count at line %d, want 13", l.Tasks[1].Line)
	}
	s := l.Lesson.Section("count")
	if s == nil || s.Line != 9 || s.Title != "Count to three" {
		t.Fatalf("section count = %+v", s)
	}
	if !strings.HasPrefix(string(l.Lesson.Source[s.Offset:]), "## Task: count") {
		t.Errorf("offset %d does not point at the heading", s.Offset)
	}
	tests, err := c.HiddenTests(l)
	if err != nil || len(tests) != 2 || !strings.Contains(tests["TestCount"], "demo_test.go:9") {
		t.Errorf("HiddenTests = %v, %v", tests, err)
	}
}

func TestLoadProblems(t *testing.T) {
	const toml, lesson = "labs/01-demo/lab.toml", "lessons/01-demo.md"
	cases := []struct {
		fixture, replaces string
		want              []string
	}{
		{"unknown-key.toml", toml, []string{`labs/01-demo/lab.toml:3: unknown key "servces"`}},
		{"unknown-task-key.toml", toml, []string{`labs/01-demo/lab.toml:8: unknown key "tasks.hint"`}},
		{"duplicate-task.toml", toml, []string{`labs/01-demo/lab.toml:14: duplicate task id "hello" (first at line 4)`}},
		{"no-tests.toml", toml, []string{`labs/01-demo/lab.toml:9: task "count" lists no tests`}},
		{"no-section.toml", toml, []string{`labs/01-demo/lab.toml:14: task "extra" has no section in lessons/01-demo.md`}},
		{"syntax.toml", toml, []string{`labs/01-demo/lab.toml:2:`}},
		{"bad-id.toml", toml, []string{`labs/01-demo/lab.toml:4: task id "Hello_World" must be kebab-case`}},
		{"shared-test.toml", toml, []string{`labs/01-demo/lab.toml:9: test TestHello is listed by task "hello" and task "count"`}},
		{"wrong-version.toml", toml, []string{`labs/01-demo/lab.toml:1: format_version 7 is not supported`}},
		{"bad-service-timeout.toml", toml, []string{`lab.toml:3: unknown service "mongo"`, `lab.toml:4: timeout "soon"`}},
		{"mutation.toml", toml, []string{`lab.toml:5: task "hello": mutant id "Bad_Id" must be kebab-case`, `lab.toml:11: test prefix TestHelloCount (task "count") and TestHello (task "hello") overlap`, `lab.toml:11: task "count" lists no mutants`}},
		{"mutants-in-tests-mode.toml", toml, []string{`lab.toml:4: task "hello" lists mutants, which only a lab with mode = "mutation" uses`}},
		{"wrong-type.toml", toml, []string{`labs/01-demo/lab.toml:3:`}},
		{"extra-section.md", lesson, []string{`lessons/01-demo.md:7: section for task "ghost"`}},
		{"duplicate-section.md", lesson, []string{`lessons/01-demo.md:9: task "hello" has a second section (first at line 3)`}},
		{"no-title.md", lesson, []string{`lessons/01-demo.md:1: no title`}},
		{"bad-heading.md", lesson, []string{`lessons/01-demo.md:5: task heading`, `lab.toml:12: task "count" has no section`}},
	}
	for _, tc := range cases {
		t.Run(tc.fixture, func(t *testing.T) {
			m := fixture(t)
			data, err := os.ReadFile("testdata/bad/" + tc.fixture)
			if err != nil {
				t.Fatal(err)
			}
			m[tc.replaces] = &fstest.MapFile{Data: data}
			_, err = Load(m, "")
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("Load: got %v, want Problems", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("problems:\n%v\nwant one containing %q", err, w)
				}
			}
		})
	}
}

func TestLoadLayoutProblems(t *testing.T) {
	cases := []struct {
		name string
		edit func(fstest.MapFS)
		want string
	}{
		{"no lab.toml", func(m fstest.MapFS) { delete(m, "labs/01-demo/lab.toml") }, "labs/01-demo/lab.toml: missing"},
		{"no lesson", func(m fstest.MapFS) { delete(m, "lessons/01-demo.md") }, "labs/01-demo/lab.toml: no lesson: expected lessons/01-demo.md"},
		{"lesson without lab", func(m fstest.MapFS) { m["lessons/02-other.md"] = &fstest.MapFile{Data: []byte("# Other\n")} }, "lessons/02-other.md: lesson has no lab"},
		{"bad dir name", func(m fstest.MapFS) { m["labs/Two/lab.toml"] = &fstest.MapFile{Data: []byte("")} }, "labs/Two: lab directories are named NN-slug"},
		{"no check dir", func(m fstest.MapFS) { delete(m, "labs/01-demo/check/demo_test.go") }, "labs/01-demo: missing check/ directory"},
		{"no go.mod", func(m fstest.MapFS) { delete(m, "go.mod") }, "go.mod: missing"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := fixture(t)
			tc.edit(m)
			_, err := Load(m, "")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}

func TestResolve(t *testing.T) {
	c := &Course{Labs: []*Lab{
		{ID: "01-rest-api", Number: 1, Slug: "rest-api"},
		{ID: "05-caching", Number: 5, Slug: "caching"},
		{ID: "06-database", Number: 6, Slug: "database"},
	}}
	for _, q := range []string{"5", "05", "caching", "05-caching", "CACHING", " 5 ", "cach", "5-caching", "5-Caching", "005-caching"} {
		l, err := c.Resolve(q)
		if err != nil || l.ID != "05-caching" {
			t.Errorf("Resolve(%q) = %v, %v; want 05-caching", q, l, err)
		}
	}
	_, err := c.Resolve("cachng")
	if err == nil || !strings.Contains(err.Error(), "did you mean 05-caching?") {
		t.Errorf("Resolve(cachng) error = %v, want a suggestion", err)
	}
	// A number and a slug of different labs is refused, with the likely one suggested.
	if _, err := c.Resolve("6-caching"); err == nil || !strings.Contains(err.Error(), "did you mean") {
		t.Errorf("Resolve(6-caching) error = %v, want a refusal with a suggestion", err)
	}
	if _, err := c.Resolve("5-cachng"); err == nil || !strings.Contains(err.Error(), "did you mean 05-caching?") {
		t.Errorf("Resolve(5-cachng) error = %v, want a suggestion", err)
	}
	if _, err := c.Resolve("42"); err == nil {
		t.Error("Resolve(42) succeeded")
	}
	if _, err := c.Resolve(""); err == nil {
		t.Error("Resolve(\"\") succeeded")
	}
}

// The parsers take author-written files: whatever is in them, they must report, not crash.
func FuzzParseManifest(f *testing.F) {
	entries, _ := os.ReadDir("testdata/bad")
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".toml") {
			data, _ := os.ReadFile("testdata/bad/" + e.Name())
			f.Add(data)
		}
	}
	data, _ := os.ReadFile("testdata/course/labs/01-demo/lab.toml")
	f.Add(data)
	f.Fuzz(func(t *testing.T, src []byte) {
		l, ps := parseManifest("lab.toml", src)
		if l == nil && len(ps) == 0 {
			t.Fatal("no lab and no problem")
		}
		for _, p := range ps {
			if p.File != "lab.toml" || p.Line < 0 {
				t.Fatalf("bad problem %+v", p)
			}
		}
	})
}

func FuzzParseLesson(f *testing.F) {
	entries, _ := os.ReadDir("testdata/bad")
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".md") {
			data, _ := os.ReadFile("testdata/bad/" + e.Name())
			f.Add(data)
		}
	}
	f.Add([]byte("# T\n\n## Task: a-b — x\n\ntext\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		l, _ := parseLesson("l.md", src)
		for _, s := range l.Sections {
			if s.Offset < 0 || s.Offset > len(src) || s.Line < 1 {
				t.Fatalf("bad section %+v", s)
			}
		}
	})
}

// TestTopic: lab.toml's optional topic is decoded and put first in Heading, unless the title
// already starts with it.
func TestTopic(t *testing.T) {
	m := fixture(t)
	toml := string(m["labs/01-demo/lab.toml"].Data)
	m["labs/01-demo/lab.toml"] = &fstest.MapFile{Data: []byte(strings.Replace(toml, "title = \"Demo\"", "title = \"Demo\"\ntopic = \"Caching\"", 1))}
	c, err := Load(m, "")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	l := c.Labs[0]
	if l.Topic != "Caching" || l.Heading() != "Caching — Demo" {
		t.Errorf("topic %q, heading %q; want Caching, %q", l.Topic, l.Heading(), "Caching — Demo")
	}
	for _, tc := range []struct{ topic, title, want string }{
		{"", "Shop orders", "Shop orders"},
		{"Concurrency", "Concurrency: waiting on slow things", "Concurrency: waiting on slow things"},
		{"Testing", "Testing a checkout service", "Testing a checkout service"},
		{"Databases", "Shop orders on PostgreSQL", "Databases — Shop orders on PostgreSQL"},
	} {
		if got := (&Lab{Topic: tc.topic, Title: tc.title}).Heading(); got != tc.want {
			t.Errorf("Heading(%q, %q) = %q, want %q", tc.topic, tc.title, got, tc.want)
		}
	}
}
