package report

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/learnlab/lab/internal/checker"
	"github.com/learnlab/lab/internal/course"
	"github.com/learnlab/lab/internal/workspace"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// halfDone checks the checker's fixture lab with two of three tasks done (once per process).
var halfDoneReport *checker.Report

func halfDone(t *testing.T) *checker.Report {
	t.Helper()
	if halfDoneReport != nil {
		return halfDoneReport
	}
	root, _ := filepath.Abs("../checker/testdata/course")
	c, err := course.Load(os.DirFS(root), root)
	if err != nil {
		t.Fatal(err)
	}
	l := c.Labs[0]
	dir := t.TempDir()
	for _, f := range []string{"main.go"} {
		data, err := os.ReadFile(filepath.Join("../checker/testdata/learners/half", f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, f), data, 0o644)
	}
	gomod, _ := workspace.ModFile(c, l)
	os.WriteFile(filepath.Join(dir, "go.mod"), gomod, 0o644)
	os.WriteFile(filepath.Join(dir, "go.sum"), c.GoSum, 0o644)
	os.WriteFile(filepath.Join(dir, "log.go"), []byte("package main\n\nimport \"fmt\"\n\nfunc init() { fmt.Println(\"starting <&> up\") }\n"), 0o644)
	r, err := checker.Run(context.Background(), checker.Options{Course: c, Lab: l, Dir: dir, PassedBefore: map[string]bool{"newer": true}})
	if err != nil {
		t.Fatal(err)
	}
	halfDoneReport = r
	return r
}

func stripTimings(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if k == "duration_ms" || k == "elapsed_ms" {
				x[k] = 0
				continue
			}
			x[k] = stripTimings(e)
		}
	case []any:
		for i := range x {
			x[i] = stripTimings(x[i])
		}
	}
	return v
}

func TestJSONGolden(t *testing.T) {
	r := halfDone(t)
	var buf bytes.Buffer
	if err := JSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, buf.String())
	}
	got, _ := json.MarshalIndent(stripTimings(doc), "", "  ")
	got = append(got, '\n')
	golden := filepath.Join("testdata", "half.json")
	if *update {
		os.WriteFile(golden, got, 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("JSON differs from %s (run with -update after checking):\n%s", golden, got)
	}
}

func TestJUnitParses(t *testing.T) {
	r := halfDone(t)
	var buf bytes.Buffer
	if err := JUnit(&buf, r); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		XMLName xml.Name `xml:"testsuites"`
		Suites  []struct {
			Name     string `xml:"name,attr"`
			Tests    int    `xml:"tests,attr"`
			Failures int    `xml:"failures,attr"`
			Cases    []struct {
				Name      string `xml:"name,attr"`
				Classname string `xml:"classname,attr"`
				Failure   *struct {
					Message string `xml:"message,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, buf.String())
	}
	if len(doc.Suites) != 1 || doc.Suites[0].Name != "01-tiny" || doc.Suites[0].Tests != 4 || doc.Suites[0].Failures != 1 {
		t.Fatalf("suites: %+v", doc.Suites)
	}
	want := map[string]string{"TestAdd": "01-tiny.add", "TestGreet": "01-tiny.greet", "TestGreetDefault": "01-tiny.greet", "TestNewer": "01-tiny.newer"}
	for _, c := range doc.Suites[0].Cases {
		if want[c.Name] != c.Classname {
			t.Errorf("testcase %s: classname %q", c.Name, c.Classname)
		}
		if (c.Failure != nil) != (c.Name == "TestNewer") {
			t.Errorf("testcase %s: failure %+v", c.Name, c.Failure)
		}
		delete(want, c.Name)
	}
	if len(want) > 0 {
		t.Errorf("missing testcases: %v", want)
	}
}

func TestJUnitEscapesControlCharacters(t *testing.T) {
	r := &checker.Report{Lab: "01-x", Status: checker.Fail, Tasks: []checker.TaskResult{{ID: "a", Status: checker.Fail, Tests: []checker.TestResult{
		{Name: "TestA", TaskID: "a", Status: checker.Fail, Message: "got \x16\x00 <b>&", Output: "\x1b[31mred\x1b[0m ]]>"},
	}}}}
	var buf bytes.Buffer
	if err := JUnit(&buf, r); err != nil {
		t.Fatal(err)
	}
	var v any
	if err := xml.Unmarshal(buf.Bytes(), &v); err != nil {
		t.Fatalf("not XML: %v\n%q", err, buf.String())
	}
}

func TestText(t *testing.T) {
	r := halfDone(t)
	var buf bytes.Buffer
	if err := Text(&buf, r, TextOptions{HintsShown: map[string]int{}}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	t.Logf("\n%s", out)
	for _, want := range []string{
		"01-tiny — Tiny fixture: 2/3 tasks passed",
		"  ✓ add    Add two numbers",
		"  ✗ newer  Pick the newer version  — was passing before",
		"      TestNewer",
		`      newer("v1.2.0", "v1.10.0"): got "", want "v1.10.0"`,
		"Stuck? `lab hint 1 newer` (hint 1 of 1)",
		"Next: work on newer, then run `lab check 1` again",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q", want)
		}
	}
}

func TestTextTimeout(t *testing.T) {
	r := &checker.Report{Lab: "05-caching", Title: "Caching", Status: checker.Timeout,
		Message: "TestStampede was still running when the time limit (60s) ran out",
		Tasks: []checker.TaskResult{{ID: "stampede", Title: "Stampede", Status: checker.Timeout, HintCount: 2,
			Tests: []checker.TestResult{{Name: "TestStampede", Status: checker.Timeout, Message: "still running", Output: "log line"}}}}}
	var buf bytes.Buffer
	Text(&buf, r, TextOptions{HintsShown: map[string]int{"stampede": 1}})
	out := buf.String()
	for _, want := range []string{"time limit (60s)", "✗ stampede  Stampede  (timed out)", "your output:\n        log line", "(hint 2 of 2)"} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
}
