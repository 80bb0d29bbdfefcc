// Package bench measures `lab check` against a bare `go test` of the same code.
//
//	go test ./bench -bench . -benchtime 1x -v
//
// The goal (DESIGN.md, quality bars): with a warm build cache, `lab check 1` takes at most 1.5x
// a bare `go test -count=1` of the learner's code with the hidden tests in place.
// Issue 15: after a one-line edit (the learner's edit loop, sub-benchmark "edited"), at most 1.1x.
package bench

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/learnlab/lab/internal/course"
	"github.com/learnlab/lab/internal/workspace"
)

func must(b *testing.B, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkCheckVsGoTest reports both medians and their ratio (check/gotest) for the lab in
// $LAB_BENCH_LAB (default 01-rest-api), solution code, runs interleaved on one machine.
func BenchmarkCheckVsGoTest(b *testing.B) {
	labID := os.Getenv("LAB_BENCH_LAB")
	if labID == "" {
		labID = "01-rest-api"
	}
	root, _ := filepath.Abs("..")
	if _, err := os.Stat(filepath.Join(root, "labs", labID)); err != nil {
		b.Skipf("labs/%s missing", labID)
	}
	tmp := b.TempDir()

	// A one-lab course, so other labs still being written cannot stop the CLI.
	cdir := filepath.Join(tmp, "course")
	copyTree(b, filepath.Join(root, "labs", labID), filepath.Join(cdir, "labs", labID))
	copyFile(b, filepath.Join(root, "lessons", labID+".md"), filepath.Join(cdir, "lessons", labID+".md"))
	copyFile(b, filepath.Join(root, "go.mod"), filepath.Join(cdir, "go.mod"))
	copyFile(b, filepath.Join(root, "go.sum"), filepath.Join(cdir, "go.sum"))
	c, err := course.Load(os.DirFS(cdir), cdir)
	must(b, err)
	l := c.Labs[0]

	bin := os.Getenv("LAB_BENCH_BIN") // a lab binary built beforehand, else built here
	if bin == "" {
		bin = filepath.Join(tmp, "lab")
		build := exec.Command("go", "build", "-o", bin, "./cmd/lab")
		build.Dir = root
		if out, err := build.CombinedOutput(); err != nil {
			b.Fatalf("build lab: %v\n%s", err, out)
		}
	}

	// The learner's workspace, with the solution in it.
	ws := &workspace.Workspace{Dir: filepath.Join(tmp, "ws")}
	os.MkdirAll(filepath.Join(ws.Dir, ".lab"), 0o755)
	_, err = ws.Start(c, l)
	must(b, err)
	labDir := ws.LabDir(l.ID)
	files, _ := c.Files(l, "solution")
	for _, f := range files {
		data, _ := c.ReadFile(l, "solution", f)
		must(b, os.WriteFile(filepath.Join(labDir, f), data, 0o644))
	}

	// The same code with the hidden tests copied in, for the bare go test.
	bare := filepath.Join(tmp, "bare", l.ID)
	copyTree(b, labDir, bare)
	addHiddenTests(b, c, l, bare)

	env := append(os.Environ(), "LAB_WORKSPACE="+ws.Dir, "LAB_COURSE="+cdir, "GOFLAGS=", "GOWORK=off")
	labCheck := func() time.Duration {
		cmd := exec.Command(bin, "check", l.ID, "--json")
		cmd.Env = env
		start := time.Now()
		out, err := cmd.CombinedOutput()
		d := time.Since(start)
		if err != nil {
			b.Fatalf("lab check: %v\n%s", err, out)
		}
		return d
	}
	goTest := func() time.Duration {
		cmd := exec.Command("go", "test", "-count=1", "-tags=labcheck", ".")
		cmd.Dir, cmd.Env = bare, env
		start := time.Now()
		out, err := cmd.CombinedOutput()
		d := time.Since(start)
		if err != nil {
			b.Fatalf("go test: %v\n%s", err, out)
		}
		return d
	}
	// Warm both build caches (and, for a lab with services, start the reused containers).
	labCheck()
	if len(l.Services) > 0 {
		// The bare run gets the same servers, as a learner's `eval "$(lab services env N)"`.
		cmd := exec.Command(bin, "services", "env", l.ID)
		cmd.Env = env
		out, err := cmd.Output()
		if err != nil {
			b.Fatalf("lab services env: %v\n%s", err, out)
		}
		for _, line := range strings.Split(string(out), "\n") {
			if kv, ok := strings.CutPrefix(strings.TrimSpace(line), "export "); ok {
				env = append(env, strings.Trim(kv, `'"`))
			}
		}
	}
	goTest()
	// A learner's edit loop: change one line of their code, check. The edit touches a non-test
	// file in both folders alike, so each run recompiles the learner's package and links.
	var edited string
	for _, f := range files {
		if strings.HasSuffix(f, ".go") && !strings.HasSuffix(f, "_test.go") && !strings.Contains(f, "/") {
			edited = f
			break
		}
	}
	orig, _ := os.ReadFile(filepath.Join(labDir, edited))
	edits := 0
	edit := func() {
		edits++
		line := fmt.Sprintf("\n// edit %d\n", edits)
		must(b, os.WriteFile(filepath.Join(labDir, edited), append(append([]byte(nil), orig...), line...), 0o644))
		must(b, os.WriteFile(filepath.Join(bare, edited), append(append([]byte(nil), orig...), line...), 0o644))
	}
	n := max(b.N, 7)
	for _, mode := range []string{"unchanged", "edited"} {
		b.Run(mode, func(b *testing.B) {
			var lc, gt []time.Duration
			for range n {
				if mode == "edited" {
					edit()
				}
				lc = append(lc, labCheck())
				if mode == "edited" {
					edit()
				}
				gt = append(gt, goTest())
			}
			ml, mg := median(lc), median(gt)
			ratio := float64(ml) / float64(mg)
			b.ReportMetric(ml.Seconds()*1000, "check-ms")
			b.ReportMetric(mg.Seconds()*1000, "gotest-ms")
			b.ReportMetric(ratio, "ratio")
			goal := "1.5"
			if mode == "edited" {
				goal = "1.1"
			}
			b.Logf("%s, %s code, %d runs each: lab check median %s, go test median %s, ratio %.2f (goal ≤ %s), load average %s", l.ID, mode, n, ml.Round(time.Millisecond), mg.Round(time.Millisecond), ratio, goal, loadavg())
		})
	}
}

// addHiddenTests copies the lab's hidden tests into dir, for a bare `go test` of the same code
// as a check grades (the tests only: wrong/ and alt/ hold variants).
func addHiddenTests(b *testing.B, c *course.Course, l *course.Lab, dir string) {
	checks, _ := c.Files(l, "check")
	for _, f := range checks {
		if strings.Contains(f, "/") {
			continue
		}
		data, _ := c.ReadFile(l, "check", f)
		must(b, os.WriteFile(filepath.Join(dir, "zz_lab_"+f), data, 0o644))
	}
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func copyFile(b *testing.B, src, dst string) {
	data, err := os.ReadFile(src)
	must(b, err)
	must(b, os.MkdirAll(filepath.Dir(dst), 0o755))
	must(b, os.WriteFile(dst, data, 0o644))
}

func copyTree(b *testing.B, src, dst string) {
	must(b, filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if strings.HasPrefix(rel, ".") {
			return nil
		}
		copyFile(b, p, filepath.Join(dst, rel))
		return nil
	}))
}
