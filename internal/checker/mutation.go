package checker

// Mutation mode (lab.toml: mode = "mutation"). The learner writes the tests; the course holds
// the code under test and broken copies of it:
//
//	starter/*.go (not _test.go)      the reference: correct code, also what the learner runs locally
//	starter/*_test.go                the learner's starting tests, with TODO(task) markers
//	check/mutants/<id>/description.txt  one line a learner reads when the mutant survives
//	check/mutants/<id>/<file>.go     whole-file replacements of reference files, one bug each,
//	                                 `//go:build labcheck` so the root module never builds them
//
// A task's `tests` are name prefixes: every learner Test/Fuzz function starting with one of
// them is that task's. Every run compiles the learner's *_test.go files (kept) against the
// reference (every learner non-test .go file is overlaid by the course's), go.mod as in a normal
// check, with the same flags and environment:
//
//  1. the reference: a task's tests must all pass on it (no false alarms); the tests that pass
//     are the "green" ones;
//  2. each mutant of every task whose tests passed, in random order, with a second reference
//     run (the control) at a random place among them. A test green on the first run that fails
//     on the control is flaky, or depends on state an earlier run left (rows, files): it is a
//     false alarm. The random order and the control also defeat tests that count runs.
//
// A mutant is killed when a green test fails (or crashes, or hangs) on it. A task passes when
// its tests pass on both reference runs and every one of its mutants is killed. Runs are
// sequential: they share the check's database, and the learner's tests isolate themselves
// within it (that is one of the things taught), not against concurrent copies of themselves.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/learnlab/lab/internal/course"
	"github.com/learnlab/lab/internal/runner"
)

const (
	mutantsDir      = "mutants"         // under check/
	mutantDescFile  = "description.txt" // in each mutant's folder
	mutantTestLabel = "mutant:"         // TestResult.Name of a mutant's grade
)

// mutant is one check/mutants/<id>/ folder.
type mutant struct {
	id, task, desc string
	files          map[string][]byte // reference file name -> its mutated version
}

// loadMutants reads the mutants the lab's tasks list.
func loadMutants(c *course.Course, l *course.Lab) ([]*mutant, error) {
	files, err := c.Files(l, "check")
	if err != nil {
		return nil, err
	}
	byID := map[string]*mutant{}
	for _, t := range l.Tasks {
		for _, id := range t.Mutants {
			byID[id] = &mutant{id: id, task: t.ID, files: map[string][]byte{}}
		}
	}
	for _, f := range files {
		rest, ok := strings.CutPrefix(f, mutantsDir+"/")
		if !ok {
			continue
		}
		id, name, ok := strings.Cut(rest, "/")
		m := byID[id]
		if !ok || m == nil || strings.Contains(name, "/") {
			continue
		}
		data, err := c.ReadFile(l, "check", f)
		if err != nil {
			return nil, err
		}
		switch {
		case name == mutantDescFile:
			m.desc = strings.TrimSpace(string(data))
		case strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go"):
			m.files[name] = data
		}
	}
	var out []*mutant
	for _, t := range l.Tasks {
		for _, id := range t.Mutants {
			m := byID[id]
			if m.desc == "" || len(m.files) == 0 {
				return nil, fmt.Errorf("%s/check/%s/%s: a mutant needs %s and at least one .go file replacing a starter file", l.Dir, mutantsDir, id, mutantDescFile)
			}
			out = append(out, m)
		}
	}
	return out, nil
}

// referenceFiles are the starter's non-test Go files: the code the learner's tests are graded on.
func referenceFiles(c *course.Course, l *course.Lab) (map[string][]byte, error) {
	files, err := c.Files(l, "starter")
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, f := range files {
		if strings.Contains(f, "/") || !strings.HasSuffix(f, ".go") || strings.HasSuffix(f, "_test.go") {
			continue
		}
		if out[f], err = c.ReadFile(l, "starter", f); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// learnerTests parses the *_test.go files of dir and returns each task's tests: the Test and
// Fuzz functions whose names start with one of the task's prefixes, sorted. Files that do not
// parse are skipped; the compiler reports them.
func learnerTests(l *course.Lab, dir string) (map[string][]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	out := map[string][]string{}
	fset := token.NewFileSet()
	for _, e := range ents {
		if !e.Type().IsRegular() || !strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, parser.SkipObjectResolution)
		if err != nil {
			continue
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv != nil || fd.Type.Params == nil || len(fd.Type.Params.List) != 1 || seen[fd.Name.Name] {
				continue
			}
			name := fd.Name.Name
			if !testFuncRe.MatchString(name) || name == "TestMain" {
				continue
			}
			for _, t := range l.Tasks {
				for _, prefix := range t.Tests {
					if strings.HasPrefix(name, prefix) && !seen[name] {
						seen[name] = true
						out[t.ID] = append(out[t.ID], name)
					}
				}
			}
		}
	}
	for _, names := range out {
		sort.Strings(names)
	}
	return out, nil
}

// testFuncRe is what `go test` runs: TestXxx / FuzzXxx where Xxx does not start lowercase.
var testFuncRe = regexp.MustCompile(`^(Test|Fuzz)([^a-z].*)?$`)

// learnerPosRe finds the learner's own test messages: "    pricing_test.go:42: got ...".
var learnerPosRe = regexp.MustCompile(`^(\s+)[^\s/]+_test\.go:\d+: ?`)

// prepareSuite writes the overlay of one run: the reference (with m's files when m is not nil)
// in place of every learner non-test .go file, the learner's tests kept.
func prepareSuite(c *course.Course, l *course.Lab, dir string, ref map[string][]byte, m *mutant) (*plan, error) {
	code := ref
	if m != nil {
		code = map[string][]byte{}
		for name, data := range ref {
			code[name] = data
		}
		for name, data := range m.files {
			if ref[name] != nil {
				code[name] = data
			}
		}
	}
	return prepareCode(c, l, dir, code)
}

// prepareCode writes the overlay of code (file name -> source) in place of every learner
// non-test .go file, the learner's tests kept.
func prepareCode(c *course.Course, l *course.Lab, dir string, code map[string][]byte) (*plan, error) {
	tmp, err := newCheckDir(mutationDirPrefix)
	if err != nil {
		return nil, fmt.Errorf("%w: create a temporary folder: %v", ErrEnvironment, err)
	}
	p := &plan{tmp: tmp, hidden: map[string]string{}, seals: map[string]string{}}
	replace := map[string]string{}
	ents, err := os.ReadDir(dir)
	if err != nil {
		p.cleanup()
		return nil, err
	}
	for _, e := range ents {
		if n := e.Name(); strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go") {
			replace[filepath.Join(dir, n)] = ""
		}
	}
	for name, data := range code {
		src := filepath.Join(tmp, name)
		if err := os.WriteFile(src, data, 0o644); err != nil {
			p.cleanup()
			return nil, fmt.Errorf("%w: %v", ErrEnvironment, err)
		}
		replace[filepath.Join(dir, name)] = src
		p.hidden[src] = name
	}
	if err := p.writeOverlay(c, l, dir, replace); err != nil {
		p.cleanup()
		return nil, err
	}
	return p, nil
}

// suite runs the learner's tests against one version of the code.
type suite struct {
	opts    Options
	goPath  string
	dir     string
	env     []string
	ref     map[string][]byte
	synth   *course.Lab     // the lab with each task's tests replaced by the learner's
	svcKeys map[string]bool // the environment variables that hold service URLs
	names   []string
	timeout time.Duration
	onStart func()
}

// suiteRun is one run's outcome, graded as if the learner's tests were hidden tests.
type suiteRun struct {
	r       *Report
	g       *grader
	dropped []string
	stopped bool // lab stopped the run at its first failing test
}

func (s *suite) run(ctx context.Context, m *mutant, env []string) (*suiteRun, error) {
	p, err := prepareSuite(s.opts.Course, s.opts.Lab, s.dir, s.ref, m)
	if err != nil {
		return nil, err
	}
	defer p.cleanup()
	g := newGrader(s.synth, s.dir, nil)
	g.plan, g.posRe, g.keepPos = p, learnerPosRe, true
	g.onStart = s.onStart
	t := s.timeout
	bin, res, err := compileBin(ctx, s.goPath, s.dir, s.env, p, g)
	if err != nil {
		return nil, err
	}
	if bin != "" {
		p.compiled()
		res, err = s.runBin(ctx, bin, testArgs(s.names, t), env, nil, runner.NewDeadline(time.Now().Add(t+grace(t))), g)
		if err != nil {
			return nil, err
		}
	}
	if res.Killed == runner.Canceled {
		return nil, ctx.Err()
	}
	return &suiteRun{r: g.finish(res, t), g: g, dropped: p.dropped}, nil
}

// results maps each learner test to its result in this run.
func (sr *suiteRun) results() map[string]TestResult {
	out := map[string]TestResult{}
	for _, tr := range sr.r.Tasks {
		for _, res := range tr.Tests {
			out[res.Name] = res
		}
	}
	return out
}

// broken reports whether the run as a whole failed (compile error, no test run, tampering,
// flood): nothing per test can be read from it.
func (sr *suiteRun) broken() bool {
	g := sr.g
	return g.buildFail || !g.started || g.tampered != "" || (sr.r.Status == Error && g.pkgAction != "pass" && sr.r.Message != "")
}

// failed returns the tests that failed, crashed or hung in this run.
func (sr *suiteRun) failed() map[string]string {
	out := map[string]string{}
	for name, ts := range sr.g.tests {
		switch {
		case ts.state == "done" && ts.status == Fail:
			out[name] = firstLine(strings.TrimSpace(ts.msg.String()))
			if ts.panic != "" {
				out[name] = ts.panic
			}
		case (ts.state == "running" || ts.state == "paused") && !sr.stopped:
			out[name] = "did not finish (it hung or the test program crashed)"
		}
	}
	return out
}

// runMutation grades a mutation-mode lab. env already holds the services' URLs. Progress:
// Building, Running, then TestStarted/TestDone per mutant ("mutant:<id>", TestDone's status
// pass when killed) and TaskDone per task at the end; a progress display counts the mutants.
func runMutation(ctx context.Context, opts Options, goPath, dir string, env, services []string) (*Report, error) {
	c, l := opts.Course, opts.Lab
	emit := func(e Event) {
		if opts.Progress != nil {
			opts.Progress(e)
		}
	}
	mutants, err := loadMutants(c, l)
	if err != nil {
		return nil, err
	}
	ref, err := referenceFiles(c, l)
	if err != nil {
		return nil, err
	}
	byTask, err := learnerTests(l, dir)
	if err != nil {
		return nil, err
	}
	synth := &course.Lab{ID: l.ID, Title: l.Title, Number: l.Number}
	var names []string
	for _, t := range l.Tasks {
		synth.Tasks = append(synth.Tasks, course.Task{ID: t.ID, Title: t.Title, Tests: byTask[t.ID], Hints: t.Hints})
		names = append(names, byTask[t.ID]...)
	}
	mr := &mutationReport{lab: l, byTask: byTask, outcomes: map[string]TestResult{}, ref: map[string]TestResult{}}
	if len(names) == 0 {
		return mr.build(), nil
	}
	var started sync.Once
	svcKeys := map[string]bool{}
	for _, kv := range services {
		k, _, _ := strings.Cut(kv, "=")
		svcKeys[k] = true
	}
	s := &suite{opts: opts, goPath: goPath, dir: dir, env: env, ref: ref, synth: synth, svcKeys: svcKeys, names: names, timeout: opts.timeout(),
		onStart: func() { started.Do(func() { emit(Event{Kind: Running}) }) }}

	emit(Event{Kind: Building})
	sb, err := s.compileSchema(ctx, mutants)
	if err != nil {
		return nil, err
	}
	// exec runs one variant: through the schema's binary when it holds it, else compiled on
	// its own (no schema, or a mutant the schema cannot express).
	exec := func(ctx context.Context, v variant, green []string, env []string) (*suiteRun, error) {
		if sb != nil {
			if _, ok := v.token(sb.s); ok {
				return s.runSchema(ctx, sb, v, green, env)
			}
		}
		return s.run(ctx, v.m, env)
	}
	if sb != nil {
		defer sb.cleanup()
	}
	first, err := exec(ctx, variant{}, names, env)
	if err != nil {
		return nil, err
	}
	mr.notes = append(mr.notes, dropNotes(first.dropped)...)
	mr.notes = append(mr.notes, editedNotes(dir, ref)...)
	if first.broken() || first.r.Status == Timeout {
		return mr.whole(first), nil
	}
	mr.ref = first.results()

	// The mutants of the tasks whose tests pass on the reference, in random order, with the
	// control run somewhere among them.
	var todo []variant
	for _, m := range mutants {
		if mr.refPasses(m.task) {
			todo = append(todo, variant{m: m})
		} else {
			mr.outcomes[m.id] = TestResult{Name: mutantTestLabel + m.id, TaskID: m.task, Status: Fail,
				Message: "not run: your tests for this task must first pass on the correct code"}
		}
	}
	if len(todo) == 0 {
		return mr.build(), nil
	}
	var green []string
	for _, n := range names {
		if mr.ref[n].Status == Pass {
			green = append(green, n)
		}
	}
	rand.Shuffle(len(todo), func(i, j int) { todo[i], todo[j] = todo[j], todo[i] })
	queues := s.queues(todo, sb != nil)
	failedOn := map[string]map[string]string{}
	var mu sync.Mutex // mr, failedOn and emit, from the workers
	err = s.parallel(ctx, queues, env, func(ctx context.Context, v variant, env []string) error {
		if v.m != nil {
			mu.Lock()
			emit(Event{Kind: TestStarted, Test: mutantTestLabel + v.m.id, TaskID: v.m.task})
			mu.Unlock()
		}
		sr, err := exec(ctx, v, green, env)
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		if v.control {
			mr.control(sr)
			return nil
		}
		m := v.m
		if msg := mutantBroken(sr); msg != "" {
			mr.outcomes[m.id] = TestResult{Name: mutantTestLabel + m.id, TaskID: m.task, Status: Error, Message: msg}
		} else {
			failedOn[m.id] = sr.failed()
		}
		emit(Event{Kind: TestDone, Test: mutantTestLabel + m.id, TaskID: m.task, Status: mr.kill(m, failedOn[m.id]).Status})
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Graded once the control run has said which tests can be trusted.
	for _, v := range todo {
		if _, ok := mr.outcomes[v.m.id]; !ok {
			mr.outcomes[v.m.id] = mr.kill(v.m, failedOn[v.m.id])
		}
	}
	r := mr.build()
	for _, tr := range r.Tasks {
		emit(Event{Kind: TaskDone, TaskID: tr.ID, Status: tr.Status})
	}
	return r, nil
}

// queues splits the mutant runs among the workers, round robin, and puts the control run at a
// random place in the first worker's queue: that worker shares the reference run's database,
// so the control also sees what the reference run and the mutant runs before it left behind.
// Without a schema every run compiles its own binary: one worker, as compiles in parallel only
// compete for the same cores.
func (s *suite) queues(todo []variant, schema bool) [][]variant {
	n := 1
	if schema {
		n = min(len(todo), MutationWorkers)
	}
	qs := make([][]variant, max(n, 1))
	for i, v := range todo {
		qs[i%len(qs)] = append(qs[i%len(qs)], v)
	}
	at := rand.IntN(len(qs[0]) + 1)
	qs[0] = append(qs[0][:at], append([]variant{{control: true}}, qs[0][at:]...)...)
	return qs
}

// MutationWorkers is how many mutant runs of one check run at once, each worker with its own
// services (its own database). A variable so benchmarks can compare.
var MutationWorkers = 2

// parallel runs each queue in a worker of its own; the first worker uses env (the check's
// services), the others acquire their own. The first error stops them all.
func (s *suite) parallel(ctx context.Context, queues [][]variant, env []string, run func(context.Context, variant, []string) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make(chan error, len(queues))
	for i, q := range queues {
		go func() {
			wenv := env
			if i > 0 && len(s.opts.Lab.Services) > 0 {
				senv, release, err := s.opts.Services.Acquire(ctx, s.opts.Lab.Services)
				if err != nil {
					errs <- envError{fmt.Errorf("start %s for %s: %w", strings.Join(s.opts.Lab.Services, ", "), s.opts.Lab.ID, err)}
					cancel()
					return
				}
				if release != nil {
					defer release()
				}
				wenv = withEnv(env, senv)
			}
			for _, v := range q {
				if err := run(ctx, v, wenv); err != nil {
					errs <- err
					cancel()
					return
				}
			}
			errs <- nil
		}()
	}
	var first error
	for range queues {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// withEnv is env with the KEY=value entries of set replacing env's.
func withEnv(env, set []string) []string {
	m := map[string]string{}
	for _, kv := range set {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return runner.Env(env, m)
}

// mutantBroken explains a mutant run that could not grade anything: a course bug (the mutant
// does not compile, or crashes before any test) rather than the learner's.
func mutantBroken(sr *suiteRun) string {
	g := sr.g
	switch {
	case g.buildFail || (!g.started && len(g.build) > 0):
		errs := g.compileErrors(3)
		return "this mutant does not compile with your tests, which is a bug in the course (please report it):\n" + strings.Join(errs, "\n")
	case sr.r.Status == Error && len(sr.failed()) == 0 && !anyRan(g):
		return "this mutant stopped the test program before any test ran, which is a bug in the course (please report it): " + firstLine(sr.r.Message)
	}
	return ""
}

func anyRan(g *grader) bool {
	for _, ts := range g.order {
		if ts.state != "" {
			return true
		}
	}
	return false
}

// mutationReport gathers the runs' results into a Report.
type mutationReport struct {
	lab      *course.Lab
	byTask   map[string][]string
	ref      map[string]TestResult // the learner's tests on the reference
	outcomes map[string]TestResult // mutant id -> its grade (pass: killed)
	notes    []string
}

func (mr *mutationReport) refPasses(task string) bool {
	if len(mr.byTask[task]) == 0 {
		return false
	}
	for _, name := range mr.byTask[task] {
		if mr.ref[name].Status != Pass {
			return false
		}
	}
	return true
}

// control applies the second reference run: a test that passed the first time and not now is
// a false alarm too.
func (mr *mutationReport) control(sr *suiteRun) {
	again := sr.results()
	for name, res := range mr.ref {
		if res.Status != Pass {
			continue
		}
		if a, ok := again[name]; !ok || a.Status != Pass || sr.broken() {
			why := a.Message
			if sr.broken() {
				why = firstLine(sr.r.Message)
			}
			res.Status = Fail
			res.Message = joinMsg("passed on the correct code, then failed when run again on the same code: is it flaky (timing, map order, randomness), or does it depend on what an earlier run left behind (rows in the database, files)?", why)
			mr.ref[name] = res
		}
	}
}

// kill grades a mutant from the tests that failed on it: only tests that passed on the
// reference count.
func (mr *mutationReport) kill(m *mutant, failed map[string]string) TestResult {
	res := TestResult{Name: mutantTestLabel + m.id, TaskID: m.task, Status: Fail, Message: "survived: " + m.desc}
	var killers []string
	for name := range failed {
		if mr.ref[name].Status == Pass {
			killers = append(killers, name)
		}
	}
	if len(killers) > 0 {
		sort.Strings(killers)
		res.Status = Pass
		res.Message = fmt.Sprintf("killed by %s: %s", killers[0], failed[killers[0]])
	}
	return res
}

// whole reports a reference run that broke as a whole: nothing else was run.
func (mr *mutationReport) whole(sr *suiteRun) *Report {
	r := mr.build()
	r.Status, r.Build = sr.r.Status, sr.r.Build
	msg := sr.r.Message
	g := sr.g
	if g.buildFail || (!g.started && len(g.build) > 0) {
		errs := g.compileErrors(10)
		msg = "your tests do not compile against the lab's code:\n" + strings.Join(errs, "\n")
		if strings.Contains(msg, "undefined:") {
			msg += "\nlab check compiles your *_test.go files with the course's version of the other files (your changes to them are not graded): keep test helpers in _test.go files, and use the names the starter defines"
		}
		r.Build = strings.Join(errs, "\n")
	} else {
		msg = strings.ReplaceAll(msg, "the hidden tests", "your tests")
	}
	r.Message = msg
	for i := range r.Tasks {
		tr := &r.Tasks[i]
		tr.Status, tr.Message = r.Status, "not graded: "+firstLine(msg)
	}
	return r
}

func (mr *mutationReport) build() *Report {
	l := mr.lab
	r := &Report{Lab: l.ID, Title: l.Title, Status: Pass, Notes: mr.notes}
	for _, task := range l.Tasks {
		tr := TaskResult{ID: task.ID, Title: task.Title, Status: Pass, HintCount: len(task.Hints)}
		var falseAlarm, survived []string
		if len(mr.byTask[task.ID]) == 0 {
			msg := fmt.Sprintf("no tests for this task: write Test functions whose names start with %s in a _test.go file", strings.Join(task.Tests, " or "))
			tr.Tests = append(tr.Tests, TestResult{Name: strings.Join(task.Tests, "*, ") + "*", TaskID: task.ID, Status: Fail, Message: msg})
			tr.Status, tr.Message = Fail, msg
		}
		for _, name := range mr.byTask[task.ID] {
			res, ok := mr.ref[name]
			if !ok {
				res = TestResult{Name: name, TaskID: task.ID, Status: Fail, Message: "not run"}
			}
			res.TaskID = task.ID
			if res.Status != Pass {
				// A test the control run caught already says what happened (passed, then failed
				// on the same code); the plain false-alarm label would contradict it.
				label := "fails on the correct code (a false alarm):"
				if strings.HasPrefix(res.Message, "passed on the correct code, then failed") {
					label = "cannot be trusted (a false alarm):"
				}
				res.Message = joinMsg(label, res.Message)
				falseAlarm = append(falseAlarm, name)
				if tr.Status == Pass {
					tr.Status = Fail
					if res.Status == Timeout {
						tr.Status = Timeout
					}
					tr.Message = fmt.Sprintf("%s %s %s", name, label, firstLine(strings.TrimPrefix(res.Message, label+"\n")))
				}
			}
			tr.Tests = append(tr.Tests, res)
		}
		for _, id := range task.Mutants {
			res, ok := mr.outcomes[id]
			if !ok {
				res = TestResult{Name: mutantTestLabel + id, TaskID: task.ID, Status: Fail, Message: "not run"}
			}
			tr.Tests = append(tr.Tests, res)
			switch {
			case res.Status == Error && tr.Status == Pass:
				tr.Status, tr.Message = Error, res.Message
			case res.Status == Fail && strings.HasPrefix(res.Message, "survived: "):
				survived = append(survived, res.Message)
			}
		}
		if tr.Status == Pass && len(survived) > 0 {
			tr.Status, tr.Message = Fail, strings.Join(survived, "\n")
		}
		if tr.Status != Pass {
			r.Status = Fail
		}
		r.Tasks = append(r.Tasks, tr)
	}
	return r
}

func dropNotes(dropped []string) []string {
	var out []string
	for _, d := range dropped {
		out = append(out, fmt.Sprintf("ignored `%s` from your go.mod: checks always build with the course's pinned dependencies", d))
	}
	return out
}

// editedNotes tells the learner which of their non-test files the check replaced.
func editedNotes(dir string, ref map[string][]byte) []string {
	var changed []string
	ents, _ := os.ReadDir(dir)
	have := map[string]bool{}
	for _, e := range ents {
		n := e.Name()
		if !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		have[n] = true
		if data, err := os.ReadFile(filepath.Join(dir, n)); err != nil || !bytes.Equal(data, ref[n]) {
			changed = append(changed, n)
		}
	}
	for n := range ref {
		if !have[n] {
			changed = append(changed, n)
		}
	}
	if len(changed) == 0 {
		return nil
	}
	sort.Strings(changed)
	return []string{fmt.Sprintf("your changes to %s are not graded: in this lab your tests run against the course's version of the code", strings.Join(changed, ", "))}
}

// devCheckMutation validates a mutation-mode lab: the mutants are well formed, the solution's
// code is the reference, the starter's tests pass on the reference and kill no mutant, the
// solution's tests pass on the reference and kill every mutant.
func devCheckMutation(ctx context.Context, c *course.Course, l *course.Lab, svc Acquirer) []string {
	ps := devCheckTaskText(c, l)
	add := func(format string, a ...any) { ps = append(ps, fmt.Sprintf(format, a...)) }
	manifest := l.Dir + "/lab.toml"

	ref, err := referenceFiles(c, l)
	if err != nil {
		add("%s/starter: %v", l.Dir, err)
		return ps
	}
	// The solution's code under test must be the reference: it is what the tests are graded on.
	sol, err := c.Files(l, "solution")
	if err != nil {
		add("%s/solution: %v", l.Dir, err)
		return ps
	}
	solCode := map[string]bool{}
	for _, f := range sol {
		if strings.Contains(f, "/") || !strings.HasSuffix(f, ".go") || strings.HasSuffix(f, "_test.go") {
			continue
		}
		solCode[f] = true
		if data, _ := c.ReadFile(l, "solution", f); !bytes.Equal(data, ref[f]) {
			add("%s/solution/%s differs from the starter's: in mode = \"mutation\" the starter's code is the reference and the solution only adds tests", l.Dir, f)
		}
	}
	for f := range ref {
		if !solCode[f] {
			add("%s/solution/%s is missing: the solution holds the same code as the starter", l.Dir, f)
		}
	}

	// Mutants: listed ones well formed, every folder listed.
	listed := map[string]string{}
	for _, t := range l.Tasks {
		for _, id := range t.Mutants {
			listed[id] = t.ID
		}
	}
	files, _ := c.Files(l, "check")
	folders := map[string]bool{}
	for _, f := range files {
		rest, ok := strings.CutPrefix(f, mutantsDir+"/")
		if !ok {
			continue
		}
		id, name, _ := strings.Cut(rest, "/")
		folders[id] = true
		if _, ok := listed[id]; !ok {
			add("%s/check/%s/%s: mutant %q belongs to no task: list it in a task's mutants in lab.toml", l.Dir, mutantsDir, id, id)
			continue
		}
		if !strings.HasSuffix(name, ".go") {
			continue
		}
		p := path.Join(l.Dir, "check", f)
		data, _ := c.ReadFile(l, "check", f)
		want, isRef := ref[name]
		switch {
		case !isRef:
			add("%s: replaces %s, which the starter does not have (a mutant replaces whole starter files)", p, name)
		case !bytes.HasPrefix(data, []byte("//go:build labcheck\n")):
			add("%s: must start with `//go:build labcheck`, or `go build ./...` compiles it as a package of its own", p)
		case bytes.Equal(bytes.TrimLeft(bytes.TrimPrefix(data, []byte("//go:build labcheck\n")), "\n"), want):
			add("%s: identical to the starter's %s: a mutant changes something", p, name)
		}
	}
	for id, task := range listed {
		if !folders[id] {
			add("%s: task %q lists mutant %q, and there is no %s/check/%s/%s/", manifest, task, id, l.Dir, mutantsDir, id)
		}
	}
	if _, err := loadMutants(c, l); err != nil {
		add("%v", err)
	}
	if len(ps) > 0 {
		return ps
	}

	// The starter's tests give the learner a test of each task to begin with.
	starterTests := func(dir string) []string {
		var ps []string
		byTask, _ := learnerTests(l, dir)
		for _, t := range l.Tasks {
			if len(byTask[t.ID]) == 0 {
				ps = append(ps, fmt.Sprintf("%s/starter: no test starts with %s: give the learner a test of task %q to begin with", l.Dir, strings.Join(t.Tests, " or "), t.ID))
			}
		}
		return ps
	}
	for _, part := range []string{"starter", "solution"} {
		r, pps, stop := devGradePart(ctx, c, l, part, svc, starterTests, func(o *Options) {
			if part == "solution" {
				o.schemaNotes = func(msg string) { add("%s: %s", l.Dir, msg) }
			}
		})
		ps = append(ps, pps...)
		if stop {
			return ps
		}
		if r == nil {
			continue
		}
		for _, t := range r.Tasks {
			if part == "solution" {
				if t.Status != Pass {
					add("%s/solution: task %q does not pass: %s", l.Dir, t.ID, strings.ReplaceAll(t.Message, "\n", "; "))
				}
				continue
			}
			if t.Status == Pass {
				add("%s/starter: task %q already passes on the starter", l.Dir, t.ID)
			}
			for _, tt := range t.Tests {
				switch {
				case strings.HasPrefix(tt.Name, mutantTestLabel) && tt.Status == Pass:
					add("%s/starter: the starter's tests already kill %s (%s): they must kill none until the learner writes the tests", l.Dir, tt.Name, tt.Message)
				case strings.HasPrefix(tt.Name, mutantTestLabel) && tt.Status == Error:
					add("%s: %s", l.Dir, tt.Message)
				case !strings.HasPrefix(tt.Name, mutantTestLabel) && tt.Status != Pass:
					add("%s/starter: %s fails on the reference: %s", l.Dir, tt.Name, firstLine(tt.Message))
				}
			}
		}
	}
	return ps
}

func init() {
	DevCheckers[course.ModeMutation] = devCheckMutation
}

// errNoReference is returned by Warm for a mutation lab whose starter has no code.
var errNoReference = errors.New("the lab's starter has no Go code to test")
