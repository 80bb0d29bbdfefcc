package bench

// Issue 15's benchmarks: a mutation check against one `go test` of the same tests, and a
// first check after `lab start` on a cold build cache against a cold `go test`.
//
//	go test ./bench -bench Mutation -benchtime 1x -v              # warm lab check 11 (goal ≤ 2x)
//	LAB_BENCH_COLD=1 go test ./bench -bench Cold -benchtime 1x -v # slow: minutes (goal ≤ 1.1x)
//
// Labs with services need Docker (source /work/env.sh on the CI machine).

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/learnlab/lab/internal/course"
	"github.com/learnlab/lab/internal/workspace"
)

// benchLab is a one-lab course, a lab binary and an empty workspace.
type benchLab struct {
	c   *course.Course
	l   *course.Lab
	bin string
	ws  *workspace.Workspace
	env []string
}

func newBenchLab(b *testing.B, labID string) *benchLab {
	root, _ := filepath.Abs("..")
	if _, err := os.Stat(filepath.Join(root, "labs", labID)); err != nil {
		b.Skipf("labs/%s missing", labID)
	}
	tmp := b.TempDir()
	cdir := filepath.Join(tmp, "course")
	copyTree(b, filepath.Join(root, "labs", labID), filepath.Join(cdir, "labs", labID))
	copyFile(b, filepath.Join(root, "lessons", labID+".md"), filepath.Join(cdir, "lessons", labID+".md"))
	copyFile(b, filepath.Join(root, "go.mod"), filepath.Join(cdir, "go.mod"))
	copyFile(b, filepath.Join(root, "go.sum"), filepath.Join(cdir, "go.sum"))
	c, err := course.Load(os.DirFS(cdir), cdir)
	must(b, err)
	bl := &benchLab{c: c, l: c.Labs[0], ws: &workspace.Workspace{Dir: filepath.Join(tmp, "ws")}}
	bl.bin = os.Getenv("LAB_BENCH_BIN")
	if bl.bin == "" {
		bl.bin = filepath.Join(tmp, "lab")
		build := exec.Command("go", "build", "-o", bl.bin, "./cmd/lab")
		build.Dir = root
		if out, err := build.CombinedOutput(); err != nil {
			b.Fatalf("build lab: %v\n%s", err, out)
		}
	}
	os.MkdirAll(filepath.Join(bl.ws.Dir, ".lab"), 0o755)
	bl.env = append(os.Environ(), "LAB_WORKSPACE="+bl.ws.Dir, "LAB_COURSE="+cdir, "GOFLAGS=", "GOWORK=off")
	return bl
}

// startWithSolution starts the lab and puts the reference solution in the learner's folder,
// so that every check passes.
func (bl *benchLab) startWithSolution(b *testing.B) string {
	_, err := bl.ws.Start(bl.c, bl.l)
	must(b, err)
	labDir := bl.ws.LabDir(bl.l.ID)
	files, _ := bl.c.Files(bl.l, "solution")
	for _, f := range files {
		data, _ := bl.c.ReadFile(bl.l, "solution", f)
		must(b, os.WriteFile(filepath.Join(labDir, f), data, 0o644))
	}
	return labDir
}

// timed runs the lab binary (dir "": the lab's) or another command and returns its duration.
func (bl *benchLab) timed(b *testing.B, dir string, env []string, name string, args ...string) time.Duration {
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = dir, env
	start := time.Now()
	out, err := cmd.CombinedOutput()
	d := time.Since(start)
	if err != nil {
		b.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return d
}

// servicesEnv adds the lab's servers to env, as a learner's `eval "$(lab services env N)"`.
func (bl *benchLab) servicesEnv(b *testing.B, env []string) []string {
	if len(bl.l.Services) == 0 {
		return env
	}
	cmd := exec.Command(bl.bin, "services", "env", bl.l.ID)
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
	return env
}

func loadavg() string {
	data, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// BenchmarkMutationCheck: a warm `lab check 11` with the solution's tests, against a bare
// `go test -count=1` of the same tests on the reference (the starter's code). Goal ≤ 2x.
func BenchmarkMutationCheck(b *testing.B) {
	labID := os.Getenv("LAB_BENCH_MUTATION_LAB")
	if labID == "" {
		labID = "11-testing"
	}
	bl := newBenchLab(b, labID)
	_, err := bl.ws.Start(bl.c, bl.l)
	must(b, err)
	labDir := bl.ws.LabDir(bl.l.ID)
	files, _ := bl.c.Files(bl.l, "solution")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			data, _ := bl.c.ReadFile(bl.l, "solution", f)
			must(b, os.WriteFile(filepath.Join(labDir, f), data, 0o644))
		}
	}
	bare := filepath.Join(b.TempDir(), bl.l.ID)
	copyTree(b, labDir, bare)
	check := func() time.Duration { return bl.timed(b, "", bl.env, bl.bin, "check", bl.l.ID, "--json") }
	check()
	env := bl.servicesEnv(b, bl.env)
	goTest := func() time.Duration { return bl.timed(b, bare, env, "go", "test", "-count=1", ".") }
	goTest()
	n := max(b.N, 5)
	var lc, gt []time.Duration
	b.ResetTimer()
	for range n {
		lc = append(lc, check())
		gt = append(gt, goTest())
	}
	b.StopTimer()
	report(b, bl.l.ID+" (mutation, warm)", n, median(lc), median(gt), 2)
}

// BenchmarkColdStartCheck: `lab start N` and at once `lab check N` on an empty build cache
// (module cache warm), against a bare cold `go test` of the starter with the hidden tests.
// Goal ≤ 1.1x. Opt-in: LAB_BENCH_COLD=1 (each run compiles the standard library twice).
func BenchmarkColdStartCheck(b *testing.B) {
	if os.Getenv("LAB_BENCH_COLD") == "" {
		b.Skip("cold-cache benchmark: set LAB_BENCH_COLD=1 (takes minutes)")
	}
	labID := os.Getenv("LAB_BENCH_COLD_LAB")
	if labID == "" {
		labID = "05-caching"
	}
	bl := newBenchLab(b, labID)
	// Services up and the module cache warm, outside the timing.
	warmEnv := bl.servicesEnv(b, bl.env)
	bare := filepath.Join(b.TempDir(), bl.l.ID)
	{
		ws := &workspace.Workspace{Dir: filepath.Join(b.TempDir(), "ws")}
		must(b, os.MkdirAll(filepath.Join(ws.Dir, ".lab"), 0o755))
		_, err := ws.Start(bl.c, bl.l)
		must(b, err)
		copyTree(b, ws.LabDir(bl.l.ID), bare)
		addHiddenTests(b, bl.c, bl.l, bare)
		dl := exec.Command("go", "mod", "download")
		dl.Dir, dl.Env = bare, warmEnv
		dl.CombinedOutput()
	}
	cold := func(env []string) []string {
		return append(append([]string(nil), env...), "GOCACHE="+b.TempDir())
	}
	n := max(b.N, 1)
	var lc, gt []time.Duration
	b.ResetTimer()
	for i := range n {
		must(b, os.RemoveAll(bl.ws.Dir))
		env := cold(bl.env)
		start := time.Now()
		bl.timed(b, "", env, bl.bin, "start", bl.l.ID, "--no-tui")
		// A check that fails (the starter) exits 1: that is a result, not an error here.
		cmd := exec.Command(bl.bin, "check", bl.l.ID, "--json")
		cmd.Env = env
		cmd.Run()
		lc = append(lc, time.Since(start))
		cmd = exec.Command("go", "test", "-count=1", "-tags=labcheck", ".")
		cmd.Dir, cmd.Env = bare, cold(warmEnv)
		start = time.Now()
		cmd.Run() // the starter fails its tests
		gt = append(gt, time.Since(start))
		b.Logf("run %d: lab start + check %s, go test %s (load %s)", i+1, lc[i].Round(time.Millisecond), gt[i].Round(time.Millisecond), loadavg())
	}
	b.StopTimer()
	report(b, bl.l.ID+" (cold cache, start + first check)", n, median(lc), median(gt), 1.1)
}

func report(b *testing.B, what string, n int, lab, bare time.Duration, goal float64) {
	ratio := float64(lab) / float64(bare)
	b.ReportMetric(lab.Seconds()*1000, "lab-ms")
	b.ReportMetric(bare.Seconds()*1000, "bare-ms")
	b.ReportMetric(ratio, "ratio")
	b.Logf("%s, %d runs each: lab median %s, bare go test median %s, ratio %.2f (goal ≤ %.1f), load average %s",
		what, n, lab.Round(time.Millisecond), bare.Round(time.Millisecond), ratio, goal, loadavg())
}
