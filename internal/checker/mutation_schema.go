package checker

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/learnlab/lab/internal/runner"
)

// schemaBin is a compiled schema (schema.go): one test binary holding the reference and every
// mutant the schema could hold.
type schemaBin struct {
	s   *schema
	p   *plan
	bin string
}

func (sb *schemaBin) cleanup() { sb.p.cleanup() }

// compileSchema builds the schema with the learner's tests. nil when it cannot: no mutant fits
// a schema, or the package does not compile (the learner's tests or a course bug; the caller
// then compiles per run as before, which reports either exactly as it always did).
func (s *suite) compileSchema(ctx context.Context, mutants []*mutant) (*schemaBin, error) {
	numbers := keyedSealer(s.opts.Lab.ID)
	if s.opts.fresh() {
		numbers = freshSealer()
	}
	at := learnerLines(s.dir)
	if s.opts.schemaNotes != nil {
		l := s.opts.Lab
		at = func(id, file string) (string, bool) {
			return filepath.Join(s.opts.Course.Root, l.Dir, "check", mutantsDir, id, file), true
		}
	}
	sc, err := buildSchema(at, s.ref, mutants, numbers)
	if err != nil {
		s.schemaNote("the mutant schema could not be made: %v", err)
		return nil, nil
	}
	for _, id := range sortedKeys(sc.skipped) {
		s.schemaNote("check/%s/%s: not part of the mutant schema, so every check compiles it on its own (slow): %s", mutantsDir, id, sc.skipped[id])
	}
	if len(sc.skipped) == len(mutants) {
		return nil, nil
	}
	code := map[string][]byte{}
	for name, data := range s.ref {
		code[name] = data
	}
	for name, data := range sc.files {
		code[name] = data
	}
	p, err := prepareCode(s.opts.Course, s.opts.Lab, s.dir, code)
	if err != nil {
		return nil, err
	}
	g := newGrader(s.synth, s.dir, nil)
	bin, _, err := compileBin(ctx, s.goPath, s.dir, s.env, p, g)
	if err != nil || bin == "" {
		p.cleanup()
		if err == nil {
			s.schemaNote("the mutant schema does not compile with these tests, so every mutant was compiled on its own (slow):\n%s", strings.Join(g.compileErrors(10), "\n"))
		}
		return nil, err
	}
	return &schemaBin{s: sc, p: p, bin: bin}, nil
}

// compileBin is `go test -c` of the plan's overlay, with the flags of a check. bin is "" when
// it does not compile: res and the grader hold why. -ldflags=-s -w: leaving out the symbol
// table and DWARF (stack traces do not need them) saves about a third of a link.
func compileBin(ctx context.Context, goPath, dir string, env []string, p *plan, g *grader) (string, *runner.Result, error) {
	mutationBuilds.Add(1)
	bin, res, err := compileTests(ctx, compileSpec{
		GoPath: goPath, Dir: dir, Overlay: p.overlay, Out: filepath.Join(p.binDir(), "check.test"),
		Env: env, TmpDir: p.gotmp(), Flags: []string{"-ldflags=-s -w"}, Module: p.module,
		Deadline: runner.NewDeadline(time.Now().Add(BuildTimeout)), OnLine: g.line,
	})
	if err != nil {
		return "", nil, envErr("run go test: %v", err)
	}
	if res.Killed == runner.Canceled {
		return "", nil, ctx.Err()
	}
	return bin, res, nil
}

// runBin runs one of the suite's test binaries: directly, or in the check's sandbox, where it
// sees only its own services (env's service URLs) and set, nothing else of lab's environment.
func (s *suite) runBin(ctx context.Context, bin string, args, env []string, set map[string]string, dl *runner.Deadline, g *grader) (*runner.Result, error) {
	tr := testRun{
		Bin: bin, Dir: s.dir, Args: args, Env: env, Pkg: s.opts.Lab.ID,
		Deadline: dl, MaxOutput: MaxRawOutput, OnLine: g.line,
	}
	if s.opts.Sandbox != nil {
		var svc []string
		for _, kv := range env {
			if k, _, _ := strings.Cut(kv, "="); s.svcKeys[k] {
				svc = append(svc, kv)
			}
		}
		tr.Sandbox, tr.Limits = s.opts.Sandbox, s.opts.Limits
		tr.Env, tr.Services = sandboxEnv(svc)
	}
	tr.Env = runner.Env(tr.Env, set)
	res, err := runTests(ctx, tr)
	if err != nil {
		return nil, envErr("run the tests: %v", err)
	}
	g.limit = res.Limit
	return &res.Result, nil
}

// schemaNote tells a lab author (dev check) why a check could not use the schema for every
// mutant. Learners are not told: their check is graded the same, only slower.
func (s *suite) schemaNote(format string, a ...any) {
	if s.opts.schemaNotes != nil {
		s.opts.schemaNotes(fmt.Sprintf(format, a...))
	}
}

// mutationBuilds counts the test binaries mutation checks compiled: a test's proof that a
// check compiles once.
var mutationBuilds atomic.Int64

// variant is one run of a mutation check: the reference (m nil, not control), the control, or a
// mutant.
type variant struct {
	m       *mutant
	control bool
}

func (v variant) token(sc *schema) (string, bool) {
	switch {
	case v.m != nil:
		tok, ok := sc.tokens[v.m.id]
		return tok, ok
	case v.control:
		return sc.tokens[variantControl], true
	}
	return sc.tokens[variantReference], true
}

// runSchema runs the schema's binary for v with env (the run's services). A mutant's run stops
// at the first of names that fails: nothing more is needed to call it killed.
func (s *suite) runSchema(ctx context.Context, sb *schemaBin, v variant, names []string, env []string) (*suiteRun, error) {
	tok, _ := v.token(sb.s)
	g := newGrader(s.synth, s.dir, nil)
	g.plan, g.posRe, g.keepPos = sb.p, learnerPosRe, true
	t := s.timeout
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	killed := false
	if v.m != nil {
		g.emitFn = func(e Event) {
			if e.Kind == TestDone && e.Status == Fail {
				killed = true
				stop()
			}
		}
	}
	g.onStart = s.onStart
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = regexp.QuoteMeta(n)
	}
	args := []string{"-test.v=test2json", "-test.paniconexit0", "-test.count=1", "-test.timeout=" + t.String(),
		"-test.run=^(" + strings.Join(quoted, "|") + ")$"}
	if v.m != nil {
		args = append(args, "-test.failfast")
	}
	res, err := s.runBin(runCtx, sb.bin, args, env, map[string]string{schemaEnv: tok}, runner.NewDeadline(time.Now().Add(t+grace(t))), g)
	if err != nil {
		return nil, err
	}
	if res.Killed == runner.Canceled && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	sr := &suiteRun{r: g.finish(res, t), g: g, dropped: sb.p.dropped, stopped: killed}
	return sr, nil
}

var (
	test2jsonOnce sync.Once
	test2jsonPath string
)

// test2jsonCommand is how to start test2json: the go command builds the tool on first use and
// caches its binary, and `go tool -n test2json` names it. Starting it directly costs 0.1 s
// instead of the 0.4 s of CPU (over a second on a busy machine) that `go tool test2json`
// spends on finding it, for every check. The name is kept in lab's cache folder, keyed by the
// go command, so that one `lab check` after another does not pay that either.
func test2jsonCommand(goPath string) (string, []string) {
	test2jsonOnce.Do(func() { test2jsonPath = findTest2JSON(goPath) })
	if test2jsonPath != "" {
		return test2jsonPath, nil
	}
	return goPath, []string{"tool", "test2json"}
}

func findTest2JSON(goPath string) string {
	usable := func(p string) bool {
		st, err := os.Stat(p)
		return filepath.IsAbs(p) && err == nil && st.Mode().IsRegular()
	}
	var key, memo string
	if st, err := os.Stat(goPath); err == nil {
		key = fmt.Sprintf("%s\t%d\t%d\n", goPath, st.Size(), st.ModTime().UnixNano())
		if dir, err := os.UserCacheDir(); err == nil {
			memo = filepath.Join(dir, "lab", "test2json")
			if data, err := os.ReadFile(memo); err == nil {
				if p, ok := strings.CutPrefix(string(data), key); ok && usable(p) {
					return p
				}
			}
		}
	}
	out, err := exec.Command(goPath, "tool", "-n", "test2json").Output()
	p := strings.TrimSpace(string(out))
	if err != nil || !usable(p) {
		return ""
	}
	if memo != "" && os.MkdirAll(filepath.Dir(memo), 0o700) == nil {
		if f, err := os.CreateTemp(filepath.Dir(memo), ".test2json-*"); err == nil {
			f.WriteString(key + p)
			f.Close()
			os.Rename(f.Name(), memo)
		}
	}
	return p
}
