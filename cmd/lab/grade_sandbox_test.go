package main

import (
	"context"
	"encoding/csv"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/learnlab/lab/internal/course"
	"github.com/learnlab/lab/internal/sandbox"
	"github.com/learnlab/lab/internal/workspace"
)

// The checker's fixture course (lab 01-tiny: tasks add, greet, newer) keeps a class fast, and
// issue 13's `lab grade` samples.
var (
	tinyCourse, _   = filepath.Abs("../../internal/checker/testdata/course")
	gradeSamples, _ = filepath.Abs("../../internal/classroom/testdata/grade")
)

// Issue 13, item 5: `lab grade` with honest and hostile submissions side by side. The hostile
// one (graded first: names sort) swaps its siblings' code, hunts for --out through /proc and
// forges the summary there, and leaves a setsid daemon that forges it again after grade exits,
// plus 40 sleeping processes; another submission touches 4 GiB. First without a sandbox, to
// show the samples really attack; then in every sandbox backend that works here, where none of
// it may succeed.
func TestGradeHonestAndHostileSideBySide(t *testing.T) {
	if testing.Short() {
		t.Skip("builds lab and grades a class")
	}
	backends := workingSandboxes(t)
	bin := buildLab(t)
	c, err := course.Load(os.DirFS(tinyCourse), tinyCourse)
	if err != nil {
		t.Fatal(err)
	}
	l := c.Labs[0]

	t.Run("no-sandbox", func(t *testing.T) {
		root, subs := gradeClass(t, c, l, false)
		r := gradeRun(t, bin, root, subs, "--no-sandbox", "--parallel", "1")
		// The daemon's turn: it rewrites the summary every 50 ms, so read it while it still
		// runs (killed mid-write, it would leave the file empty), on a loaded machine maybe late.
		out := filepath.Join(root, "out-lab-grade-test")
		var csv []byte
		for end := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			csv, _ = os.ReadFile(filepath.Join(out, "summary.csv"))
			if strings.Contains(string(csv), "a-hostile,01-tiny,add,pass") || time.Now().After(end) {
				break
			}
		}
		left := procsMentioning(root)
		killPids(left)
		if _, err := os.Stat(filepath.Join(out, "hostile-was-here")); err != nil {
			t.Errorf("without a sandbox the hostile sample did not find --out through /proc: it no longer shows the attack\n%s", r.err)
		}
		if !strings.Contains(string(csv), "a-hostile,01-tiny,add,pass") {
			t.Errorf("without a sandbox the daemon did not rewrite summary.csv after grade exited:\n%s", csv)
		}
		if !regexp.MustCompile(`b-passing\s+01-tiny\s+0/3`).MatchString(r.err) || !regexp.MustCompile(`c-starter\s+01-tiny\s+3/3`).MatchString(r.err) {
			t.Errorf("without a sandbox the siblings' grades were not swapped: the sample no longer shows the attack\n%s", r.err)
		}
		if len(left) < 10 {
			t.Errorf("without a sandbox only %d processes outlived grade, want the daemon and 40 sleepers: %v", len(left), left)
		}
	})

	for _, name := range backends {
		t.Run(name, func(t *testing.T) {
			root, subs := gradeClass(t, c, l, true)
			// The hog needs a few seconds of CPU to touch 2 GiB, which a loaded machine stretches
			// past the lab's 20 s.
			r := gradeRun(t, bin, root, subs, "--sandbox="+name, "--parallel", "2", "--timeout", "2m")
			if r.code != 0 {
				t.Fatalf("lab grade exit %d\n%s%s", r.code, r.out, r.err)
			}
			out := filepath.Join(root, "out-lab-grade-test")
			before := snapshot(t, out)
			time.Sleep(3 * time.Second) // a daemon that outlived grade would have rewritten them by now
			if after := snapshot(t, out); !maps.Equal(before, after) {
				t.Errorf("--out changed after grade returned:\nbefore %q\nafter  %q", before, after)
			}
			want := []string{"junit/a-hostile.xml", "junit/b-passing.xml", "junit/c-starter.xml", "junit/d-memhog.xml", "summary.csv", "summary.json"}
			if got := slices.Sorted(maps.Keys(before)); !slices.Equal(got, want) {
				t.Errorf("--out holds %q, want only lab's files %q", got, want)
			}
			if left := procsMentioning(root); len(left) > 0 {
				killPids(left)
				t.Errorf("processes outlived the sandboxed grade: %v", left)
			}

			grades := summaryGrades(t, before["summary.csv"])
			for _, task := range []string{"add", "greet", "newer"} {
				if s := grades["b-passing"][task]; s != "pass" {
					t.Errorf("b-passing (the solution) %s: %q, want pass", task, s)
				}
				if s := grades["c-starter"][task]; s != "fail" {
					t.Errorf("c-starter (the starter) %s: %q, want fail", task, s)
				}
				for _, who := range []string{"a-hostile", "d-memhog"} {
					if s := grades[who][task]; s == "pass" || s == "" {
						t.Errorf("%s %s: %q, want a failing grade", who, task, s)
					}
				}
			}
			if strings.Contains(before["summary.json"], "forged") {
				t.Errorf("summary.json is forged:\n%s", before["summary.json"])
			}
			sol, _ := c.ReadFile(l, "solution", "main.go")
			if got, _ := os.ReadFile(filepath.Join(subs[1], "lab-work", l.ID, "main.go")); string(got) != string(sol) {
				t.Errorf("the passing sibling's main.go was rewritten:\n%s", got)
			}
			if hog := before["junit/d-memhog.xml"]; !strings.Contains(hog, "used more than 2 GiB of memory") {
				t.Errorf("the memory hog's result does not say it used more than the limit:\n%s\nlab grade said:\n%s", hog, r.err)
			}
		})
	}
}

// workingSandboxes names those of the sandbox backends (default bwrap and Docker) that work
// here. CI installs both, so there each must work; elsewhere the test skips when none does.
func workingSandboxes(t *testing.T, names ...string) []string {
	if len(names) == 0 {
		names = []string{"bwrap", "docker"}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var works, why []string
	for _, name := range names {
		if _, err := sandbox.Select(ctx, name); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("CI must run this in every sandbox (%s): %v", name, err)
			}
			why = append(why, err.Error())
			continue
		}
		works = append(works, name)
	}
	if len(works) == 0 {
		t.Skipf("no sandbox backend works here: %s", strings.Join(why, "; "))
	}
	return works
}

// gradeClass writes the class: a-hostile (starter + the attack), b-passing (the solution),
// c-starter, and with hog d-memhog (starter + 4 GiB). It returns the class folder and the
// submissions in that order.
func gradeClass(t *testing.T, c *course.Course, l *course.Lab, hog bool) (string, []string) {
	t.Helper()
	root := t.TempDir()
	// The sandbox's uid must be able to read the submissions, as with real checkouts.
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatal(err)
	}
	kinds := []struct{ name, base, sample string }{
		{"a-hostile", "starter", "hostile"}, {"b-passing", "solution", ""}, {"c-starter", "starter", ""},
	}
	if hog {
		kinds = append(kinds, struct{ name, base, sample string }{"d-memhog", "starter", "memhog"})
	}
	var subs []string
	for _, k := range kinds {
		sub := filepath.Join(root, "subs", k.name)
		w := &workspace.Workspace{Dir: filepath.Join(sub, "lab-work")}
		os.MkdirAll(filepath.Join(w.Dir, ".lab"), 0o755)
		if _, err := w.Start(c, l); err != nil {
			t.Fatal(err)
		}
		files, _ := c.Files(l, k.base)
		for _, f := range files {
			data, _ := c.ReadFile(l, k.base, f)
			os.WriteFile(filepath.Join(w.LabDir(l.ID), f), data, 0o644)
		}
		if k.sample != "" {
			samples, _ := filepath.Glob(filepath.Join(gradeSamples, k.sample, "*.go"))
			for _, s := range samples {
				data, _ := os.ReadFile(s)
				os.WriteFile(filepath.Join(w.LabDir(l.ID), filepath.Base(s)), data, 0o644)
			}
		}
		subs = append(subs, sub)
	}
	return root, subs
}

// gradeRun runs `lab grade` from the class folder with a relative --out, which the hostile
// sample resolves through /proc/PID/cwd.
func gradeRun(t *testing.T, bin, root string, subs []string, flags ...string) result {
	t.Helper()
	args := append([]string{"grade", "--lab", "1", "--out", "out-lab-grade-test"}, flags...)
	cmd := exec.Command(bin, append(args, subs...)...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "LAB_COURSE="+tinyCourse, "LAB_WORKSPACE=")
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	t.Logf("lab grade %s:\n%s", strings.Join(flags, " "), errOut.String())
	return result{out.String(), errOut.String(), code}
}

// snapshot reads every file under dir: relative path -> content.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(dir, p)
			m[filepath.ToSlash(rel)] = string(data)
		}
		return nil
	})
	return m
}

// summaryGrades parses summary.csv: learner -> task -> status.
func summaryGrades(t *testing.T, data string) map[string]map[string]string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(data)).ReadAll()
	if err != nil || len(recs) == 0 || strings.Join(recs[0], ",") != "learner,lab,task,status" {
		t.Fatalf("summary.csv is not lab's (%v):\n%s", err, data)
	}
	m := map[string]map[string]string{}
	for _, r := range recs[1:] {
		if m[r[0]] == nil {
			m[r[0]] = map[string]string{}
		}
		m[r[0]][r[2]] = r[3]
	}
	return m
}

// procsMentioning lists processes whose working directory or command line mentions dir.
func procsMentioning(dir string) []string {
	var out []string
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil || e.Name() == strconv.Itoa(os.Getpid()) {
			continue
		}
		cwd, _ := os.Readlink(filepath.Join("/proc", e.Name(), "cwd"))
		cmd, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if strings.HasPrefix(cwd, dir) || strings.Contains(string(cmd), dir) || strings.Contains(string(cmd), "lab-hostile-grade-") {
			out = append(out, e.Name()+": "+strings.ReplaceAll(string(cmd), "\x00", " "))
		}
	}
	return out
}

// killPids kills the processes procsMentioning found (this test's own leftovers only).
func killPids(procs []string) {
	for _, p := range procs {
		pid, _ := strconv.Atoi(strings.SplitN(p, ":", 2)[0])
		if pid > 0 {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// LAB_REDIS_URL is one server for all submissions graded at once: lab says what that costs
// instead of grading hostile code against its neighbours' data in silence.
func TestGradeWarnsOfSharedRedis(t *testing.T) {
	redisLab := []*course.Lab{{ID: "05-caching", Services: []string{"redis"}}}
	plain := []*course.Lab{{ID: "01-rest-api"}}
	t.Setenv("LAB_REDIS_URL", "redis://redis:6379")
	if w := sharedRedisWarning(redisLab, 4, true, "auto"); !strings.Contains(w, "FLUSHALL") {
		t.Errorf("shared Redis, 4 at a time: warning %q", w)
	}
	for name, w := range map[string]string{
		"one at a time":         sharedRedisWarning(redisLab, 1, true, "auto"),
		"no redis lab":          sharedRedisWarning(plain, 4, true, "auto"),
		"unsandboxed (trusted)": sharedRedisWarning(redisLab, 4, false, "auto"),
	} {
		if w != "" {
			t.Errorf("%s: unexpected warning %q", name, w)
		}
	}
	if w := sharedRedisWarning(redisLab, 4, true, "external"); !strings.Contains(w, "FLUSHALL") {
		t.Errorf("LAB_SERVICES=external, 4 at a time: warning %q", w)
	}
	if w := sharedRedisWarning(redisLab, 4, true, "docker"); w != "" {
		t.Errorf("LAB_SERVICES=docker ignores LAB_REDIS_URL, yet: %q", w)
	}
}
