package classroom

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/learnlab/lab/internal/course"
	"github.com/learnlab/lab/internal/scaffold"
	"github.com/learnlab/lab/internal/workspace"
)

// scaffoldCourse makes a one-lab course with `lab new`'s template: its starter fails the task,
// its solution passes it.
func scaffoldCourse(t *testing.T) (*course.Course, *course.Lab) {
	t.Helper()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/class\n\ngo 1.26\n"), 0o644)
	if _, err := scaffold.Create(dir, scaffold.Options{ID: "01-hello", Title: "Hello"}); err != nil {
		t.Fatal(err)
	}
	c, err := course.Load(os.DirFS(dir), dir)
	if err != nil {
		t.Fatal(err)
	}
	return c, c.Labs[0]
}

// submission writes a learner's workspace whose lab folder holds main.go = src ("" = not started).
func submission(t *testing.T, root, name string, c *course.Course, l *course.Lab, src string) string {
	t.Helper()
	ws := filepath.Join(root, name, "lab-work")
	os.MkdirAll(filepath.Join(ws, ".lab"), 0o755)
	if src == "" {
		return filepath.Join(root, name)
	}
	w := &workspace.Workspace{Dir: ws}
	if _, err := w.Start(c, l); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(w.LabDir(l.ID), "main.go"), []byte(src), 0o644)
	return filepath.Join(root, name)
}

func TestGradeAClass(t *testing.T) {
	if testing.Short() {
		t.Skip("grades 20 submissions with the Go toolchain")
	}
	c, l := scaffoldCourse(t)
	starter, _ := c.ReadFile(l, "starter", "main.go")
	solution, _ := c.ReadFile(l, "solution", "main.go")
	broken := "package main\n\nfunc main() { undefined() }\n"
	loops := strings.Replace(string(solution), `w.Header().Set("Content-Type", "application/json")`, "for {\n\t\t}", 1)

	root := t.TempDir()
	want := map[string]string{}
	var dirs []string
	add := func(kind, src, status string, n int) {
		for i := range n {
			name := fmt.Sprintf("%s-%d", kind, i)
			dirs = append(dirs, submission(t, root, name, c, l, src))
			want[name] = status
		}
	}
	add("passing", string(solution), "pass", 9)
	add("failing", string(starter), "fail", 6)
	add("broken", broken, "error", 2)
	add("looping", loops, "timeout", 2)
	add("absent", "", "not-started", 1)

	var subs []Submission
	for _, d := range dirs {
		s, err := FindSubmission(d)
		if err != nil {
			t.Fatal(err)
		}
		subs = append(subs, s)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var results int
	rows, err := Grade(ctx, subs, Options{Course: c, Labs: c.Labs, Parallel: 2, Timeout: 2 * time.Second}, func(Result) { results++ })
	if err != nil {
		t.Fatalf("Grade: %v", err)
	}
	if results != 20 || len(rows) != 20 {
		t.Fatalf("got %d results and %d rows, want 20 each", results, len(rows))
	}
	for _, r := range rows {
		if r.Status != want[r.Learner] || r.Lab != "01-hello" || r.Task != "hello" {
			t.Errorf("row %+v: want status %s", r, want[r.Learner])
		}
	}
	for i := 1; i < len(rows); i++ {
		if rows[i-1].Learner > rows[i].Learner {
			t.Errorf("rows not sorted by learner: %s before %s", rows[i-1].Learner, rows[i].Learner)
		}
	}

	var buf bytes.Buffer
	if err := WriteCSV(&buf, rows); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(recs) != 21 || strings.Join(recs[0], ",") != "learner,lab,task,status" {
		t.Errorf("CSV: %d records, %v", len(recs), err)
	}
	buf.Reset()
	WriteJSON(&buf, Shard{1, 1}, rows)
	if !strings.Contains(buf.String(), `"passing-0": {`) || !strings.Contains(buf.String(), `"passed": 1`) {
		t.Errorf("JSON summary:\n%s", buf.String())
	}
}

// Learner folder names go into summary.csv: one that starts like a formula must reach a
// spreadsheet as text (issue 13).
func TestCSVCellsAreNotFormulas(t *testing.T) {
	rows := []Row{
		{Learner: "=HYPERLINK(\"http://evil\",\"x\")", Lab: "01-demo", Task: "add", Status: "pass"},
		{Learner: "+1", Lab: "-2", Task: "@SUM(A1)", Status: "\tfail"},
		{Learner: "\rbo", Lab: "01-demo", Task: "a-b=c", Status: "pass"},
		{Learner: "ann", Lab: "01-demo", Task: "add", Status: "fail"},
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, rows); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"learner", "lab", "task", "status"},
		{"'=HYPERLINK(\"http://evil\",\"x\")", "01-demo", "add", "pass"},
		{"'+1", "'-2", "'@SUM(A1)", "'\tfail"},
		{"'\rbo", "01-demo", "a-b=c", "pass"},
		{"ann", "01-demo", "add", "fail"},
	}
	if !reflect.DeepEqual(recs, want) {
		t.Errorf("summary.csv cells:\n got %q\nwant %q", recs, want)
	}
}
