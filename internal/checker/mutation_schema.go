package checker

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
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
	sc, err := buildSchema(s.dir, s.ref, mutants, numbers)
	if err != nil || len(sc.skipped) == len(mutants) {
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
	bin, err := compileBin(ctx, s.goPath, s.dir, s.env, p, g)
	if err != nil || bin == "" {
		p.cleanup()
		return nil, err
	}
	return &schemaBin{s: sc, p: p, bin: bin}, nil
}

// compileBin is `go test -c` of the plan's overlay, with the flags of a check.
// TODO(mut): compileTests (exec.go) once it lands.
func compileBin(ctx context.Context, goPath, dir string, env []string, p *plan, g *grader) (string, error) {
	bin := filepath.Join(p.tmp, "check.test")
	res, err := runner.Run(ctx, runner.Spec{
		Path: goPath, Dir: dir, Env: runner.Env(env, map[string]string{"CGO_ENABLED": "0"}),
		Args:     []string{"test", "-c", "-o", bin, "-json", "-mod=readonly", "-tags=labcheck", "-vet=off", "-overlay=" + p.overlay, "."},
		Deadline: runner.NewDeadline(time.Now().Add(BuildTimeout)), OnLine: g.line,
	})
	if err != nil {
		return "", envErr("run go test: %v", err)
	}
	if res.Killed == runner.Canceled {
		return "", ctx.Err()
	}
	if _, serr := os.Stat(bin); res.ExitCode != 0 || g.buildFail || serr != nil {
		return "", nil
	}
	return bin, nil
}

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
	// TODO(mut): runTests (exec.go) once it lands, so a sandboxed check runs these sandboxed.
	res, err := runner.Run(runCtx, runner.Spec{
		Path: s.goPath, Dir: s.dir, Env: runner.Env(env, map[string]string{schemaEnv: tok}),
		Args:     append([]string{"tool", "test2json", "-t", "-p", s.opts.Lab.ID, sb.bin}, args...),
		Deadline: runner.NewDeadline(time.Now().Add(t + grace(t))), MaxOutput: MaxRawOutput, OnLine: g.line,
	})
	if err != nil {
		return nil, envErr("run the tests: %v", err)
	}
	if res.Killed == runner.Canceled && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	sr := &suiteRun{r: g.finish(res, t), g: g, dropped: sb.p.dropped, stopped: killed}
	return sr, nil
}
