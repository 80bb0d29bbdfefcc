package main

import (
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
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

// The instructor's whole path on a course of their own: lab new (with a Redis lab), publish it
// as a git repository, a learner starts it with --course, works without LAB_COURSE afterwards,
// runs lab ci init, and the generated workflow's steps — the course fetched as the workflow says,
// the grading command as the workflow runs it — produce the right JUnit.
func TestInstructorPathEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds lab and runs checks against Redis")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	t.Setenv("LAB_COURSE", "")
	t.Setenv("LAB_WORKSPACE", "")
	bin := buildLab(t)
	// The go command stamps the commit in a clone (CI's); a git worktree (.git is a file) it
	// does not recognise.
	if st, err := os.Stat("../../.git"); err == nil && st.IsDir() {
		if out, err := exec.Command(bin, "version").Output(); err != nil || strings.Contains(string(out), "lab dev ") || !strings.Contains(string(out), "commit ") {
			t.Errorf("lab version of a built binary: %v %q: want a version and its commit", err, out)
		}
	}

	root := t.TempDir()
	git := func(dir string, args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	courseDir := filepath.Join(root, "ws-course")
	if r := run(t, root, "", "--course", courseDir, "new", "13-websockets", "--title", "WebSockets", "--services", "redis", "--module", "example.com/prof/ws-course"); r.code != 0 {
		t.Fatalf("new: %+v", r)
	}
	if data, _ := os.ReadFile(filepath.Join(courseDir, "go.mod")); !strings.HasPrefix(string(data), "module example.com/prof/ws-course") || strings.Contains(string(data), "bubbletea") || !strings.Contains(string(data), "go-redis") {
		t.Errorf("the new course's go.mod is not its own minimal one:\n%s", data)
	}
	published := filepath.Join(root, "ws-course.git")
	git(courseDir, "init", "-q")
	git(courseDir, "add", "-A")
	git(courseDir, "commit", "-qm", "course")
	git(root, "clone", "-q", "--bare", courseDir, published)
	git(courseDir, "remote", "add", "origin", published)

	// The learner: a repository with a workspace started from the course.
	repo := filepath.Join(root, "learner")
	os.MkdirAll(repo, 0o755)
	git(repo, "init", "-q")
	if r := run(t, repo, "", "--course", courseDir, "start", "13", "--no-tui"); r.code != 0 {
		t.Fatalf("start: %+v", r)
	}
	labDir := filepath.Join(repo, "lab-work", "13-websockets")
	for _, f := range []string{"main.go", "redis.go"} {
		data, _ := os.ReadFile(filepath.Join(courseDir, "labs", "13-websockets", "solution", f))
		os.WriteFile(filepath.Join(labDir, f), data, 0o644)
	}
	// No --course and no LAB_COURSE from here on: the workspace remembers.
	r := run(t, labDir, "", "check", "13")
	if r.code != 0 || !strings.Contains(r.err, "using the course at "+courseDir) {
		t.Fatalf("check without --course: %+v", r)
	}
	if r := run(t, repo, "", "progress"); r.code != 0 || !strings.Contains(r.out, "13") {
		t.Errorf("progress without --course: %+v", r)
	}
	if r := run(t, repo, "", "ci", "init"); r.code != 0 || !strings.Contains(r.out, published) {
		t.Fatalf("ci init: %+v", r)
	}

	// CI: a fresh checkout of the learner's repository, the workflow's own steps.
	wf, err := os.ReadFile(filepath.Join(repo, ".github", "workflows", "lab.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Jobs map[string]struct {
			Env   map[string]string
			Steps []struct {
				Name string
				Run  string
				With map[string]any
			}
		}
	}
	if err := yaml.Unmarshal(wf, &doc); err != nil {
		t.Fatal(err)
	}
	job := doc.Jobs["grade"]
	ci := filepath.Join(root, "ci")
	git(root, "clone", "-q", repo, ci)
	os.RemoveAll(filepath.Join(ci, "lab-work")) // committed or not, copy the learner's files as pushed
	copyDir(t, filepath.Join(repo, "lab-work"), filepath.Join(ci, "lab-work"))
	os.Rename(courseDir, courseDir+".moved") // CI has no copy of the course but the one it fetches
	defer os.Rename(courseDir+".moved", courseDir)
	expand := strings.NewReplacer("${{ github.workspace }}", ci)
	env := append(os.Environ(), "PATH="+filepath.Dir(bin)+string(os.PathListSeparator)+os.Getenv("PATH"))
	for k, v := range job.Env {
		env = append(env, k+"="+expand.Replace(v))
	}
	var command string
	for _, s := range job.Steps {
		switch {
		case s.Name == "Fetch the course":
			cmd := exec.Command("bash", "-euc", s.Run)
			cmd.Dir, cmd.Env = ci, env
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("the workflow's fetch step: %v\n%s", err, out)
			}
		case s.With["command"] != nil:
			command = s.With["command"].(string)
		}
	}
	if command == "" {
		t.Fatalf("no grading command in the workflow:\n%s", wf)
	}
	cmd := exec.Command("bash", "-euc", command)
	cmd.Dir, cmd.Env = ci, env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", command, err, out)
	}
	var suites struct {
		Suites []struct {
			Name     string `xml:"name,attr"`
			Tests    int    `xml:"tests,attr"`
			Failures int    `xml:"failures,attr"`
		} `xml:"testsuite"`
	}
	data, err := os.ReadFile(filepath.Join(ci, "lab-results.xml"))
	if err != nil {
		t.Fatalf("no JUnit: %v\n%s", err, out)
	}
	if err := xml.Unmarshal(data, &suites); err != nil || len(suites.Suites) != 1 || suites.Suites[0].Tests != 2 || suites.Suites[0].Failures != 0 {
		t.Fatalf("JUnit: %v %+v\n%s", err, suites, data)
	}
}

func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if fi.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, fi.Mode())
	})
	if err != nil {
		t.Fatal(err)
	}
}

// dev check speaks to the author: -v shows each test on the starter and the solution, and a
// solution that does not compile with the hidden tests is named as such, without the learner's
// "your code" and "lab reset".
func TestDevCheckSpeaksToAuthors(t *testing.T) {
	if testing.Short() {
		t.Skip("runs dev check")
	}
	dir := filepath.Join(t.TempDir(), "course")
	if r := run(t, t.TempDir(), "", "--course", dir, "new", "01-hello", "--title", "Hello"); r.code != 0 {
		t.Fatalf("new: %+v", r)
	}
	r := run(t, dir, "", "--course", dir, "dev", "check", "1", "-v")
	for _, want := range []string{"── 01-hello starter: 0/1 tasks pass", "── 01-hello solution: 1/1 tasks pass", "fail  TestHelloReturnsJSON (task hello)", "GET /hello: got status 501", "── 01-hello wrong/text-plain"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("dev check -v lacks %q:\n%s", want, r.out)
		}
	}
	sol := filepath.Join(dir, "labs", "01-hello", "solution", "main.go")
	src, _ := os.ReadFile(sol)
	os.WriteFile(sol, []byte(strings.Replace(string(src), "func newServer()", "func newServerV2()", 1)), 0o644)
	r = run(t, dir, "", "--course", dir, "dev", "check", "1")
	if r.code != exitFail || !strings.Contains(r.out, "labs/01-hello/solution does not compile with the hidden tests") ||
		!strings.Contains(r.out, "hello_test.go") || strings.Contains(r.out, "your code") || strings.Contains(r.out, "lab reset") {
		t.Errorf("dev check of a solution that lost newServer: %+v", r)
	}
}
