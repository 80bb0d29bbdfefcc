package checker

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/learnlab/lab/internal/course"
	"github.com/learnlab/lab/internal/runner"
)

// event is one line of `go test -json` (test2json, plus the build events of Go 1.24+).
type event struct {
	Action      string
	Package     string
	ImportPath  string
	Test        string
	Elapsed     float64
	Output      string
	FailedBuild string
}

type testState struct {
	name    string
	task    string
	state   string // "", "running", "paused", "done"
	status  Status
	elapsed time.Duration
	msg     capped
	out     capped
	inMsg   int // indentation of the message being continued, or -1
	sealed  bool
	panic   string
}

// grader turns the event stream of one run into a Report.
type grader struct {
	lab     *course.Lab
	dir     string
	plan    *plan
	emitFn  func(Event)
	onStart func()

	// posRe finds a test's own messages (t.Error lines) by their file:line prefix; nil means
	// the hidden tests'. keepPos keeps that prefix in the message (the learner's own files).
	posRe   *regexp.Regexp
	keepPos bool

	tests     map[string]*testState
	order     []*testState
	started   bool // the test binary started
	pkgAction string
	pkgOut    capped
	build     []string
	buildFail bool
	tampered  string
	limit     string   // a sandbox limit stopped the run: why, in words
	timedOut  string   // Go's own -timeout fired: the limit it reported
	running   []string // tests named by the timeout panic
	inRunning bool
	panicked  string // a test whose run ended in a panic
	kept      int    // bytes kept over all tests
	taskLeft  map[string]int
}

func newGrader(l *course.Lab, dir string, progress func(Event)) *grader {
	g := &grader{lab: l, dir: dir, emitFn: progress, tests: map[string]*testState{}, taskLeft: map[string]int{}}
	for _, task := range l.Tasks {
		for _, name := range task.Tests {
			ts := &testState{name: name, task: task.ID, inMsg: -1}
			g.tests[name] = ts
			g.order = append(g.order, ts)
			g.taskLeft[task.ID]++
		}
	}
	return g
}

func (g *grader) emit(e Event) {
	if g.emitFn != nil {
		g.emitFn(e)
	}
}

var (
	timeoutRe   = regexp.MustCompile(`^panic: test timed out after (\S+)`)
	runningRe   = regexp.MustCompile(`^\s+((?:Test|Fuzz)\w*)\b`)
	framingRe   = regexp.MustCompile(`^\s*(=== (RUN|PAUSE|CONT|NAME)|--- (PASS|FAIL|SKIP):)`)
	hiddenPosRe = regexp.MustCompile(`^(\s+)` + hiddenPrefix + `\S+?\.go:\d+: ?`)
)

// begin marks the test binary started: the hard deadline becomes the tests' own.
func (g *grader) begin() {
	if g.started {
		return
	}
	g.started = true
	if g.plan != nil {
		// Compiled: the sources (and their seals) need not stay readable while learner code runs.
		for _, src := range g.plan.sources {
			os.Remove(src)
		}
	}
	if g.onStart != nil {
		g.onStart()
	}
	g.emit(Event{Kind: Running})
}

// exited records the test binary's exit status. test2json reading a pipe cannot know it: a
// binary that printed "PASS" and then exited non-zero (os.Exit from a goroutine) has failed.
func (g *grader) exited(code int) {
	if code != 0 && g.pkgAction == "pass" {
		g.pkgAction = "fail"
	}
}

// line handles one line of go test's stdout.
func (g *grader) line(b []byte) {
	var e event
	if len(b) == 0 || b[0] != '{' || json.Unmarshal(b, &e) != nil {
		// go test -json prints only JSON; anything else is kept as package output.
		g.pkgOut.add(string(b)+"\n", &g.kept)
		return
	}
	switch e.Action {
	case "build-output":
		g.build = append(g.build, e.Output)
		return
	case "build-fail":
		g.buildFail = true
		return
	case "start":
		if e.Test == "" {
			g.begin()
		}
		return
	}
	if e.Test == "" {
		switch e.Action {
		case "output":
			g.scan(e.Output)
			g.pkgOut.add(e.Output, &g.kept)
		case "pass", "fail", "skip":
			g.pkgAction = e.Action
			if e.FailedBuild != "" {
				g.buildFail = true
			}
		}
		return
	}
	top, sub, isSub := strings.Cut(e.Test, "/")
	ts := g.tests[top]
	if ts == nil {
		// Not a listed test (-run excludes them): keep its output with the package's.
		if e.Action == "output" {
			g.scan(e.Output)
			g.pkgOut.add(e.Output, &g.kept)
		}
		return
	}
	switch e.Action {
	case "output":
		if g.plan != nil && !isSub && g.plan.seals[top] != "" && strings.Contains(e.Output, g.plan.seals[top]) {
			ts.sealed = true
			return
		}
		g.scan(e.Output)
		g.output(ts, sub, e.Output)
	case "run":
		if isSub {
			return
		}
		ts.sealed = false
		if ts.state != "" {
			g.tamper("%s started twice", top)
		}
		for _, o := range g.order {
			if o != ts && o.state == "running" {
				g.tamper("%s started while %s was running", top, o.name)
			}
		}
		ts.state = "running"
		g.emit(Event{Kind: TestStarted, Test: top, TaskID: ts.task})
	case "pause":
		if !isSub && ts.state == "running" {
			ts.state = "paused"
		}
	case "cont":
		if !isSub && ts.state == "paused" {
			ts.state = "running"
		}
	case "pass", "fail", "skip":
		if isSub {
			return
		}
		if ts.state != "running" {
			g.tamper("%s ended while it was not running", top)
		}
		if e.Action == "pass" && !ts.sealed && g.plan != nil && g.plan.seals[top] != "" {
			g.tamper("%s reported a pass it did not earn", top)
		}
		ts.state = "done"
		ts.status = map[string]Status{"pass": Pass, "fail": Fail, "skip": "skip"}[e.Action]
		ts.elapsed = time.Duration(e.Elapsed * float64(time.Second))
		st := ts.status
		if st == "skip" {
			st = Fail
		}
		g.emit(Event{Kind: TestDone, Test: top, TaskID: ts.task, Status: st})
		g.taskLeft[ts.task]--
		if g.taskLeft[ts.task] == 0 {
			g.emit(Event{Kind: TaskDone, TaskID: ts.task, Status: g.taskStatus(ts.task)})
		}
	}
}

func (g *grader) taskStatus(id string) Status {
	for _, ts := range g.order {
		if ts.task == id && ts.status != Pass {
			return Fail
		}
	}
	return Pass
}

func (g *grader) tamper(format string, a ...any) {
	if g.tampered == "" {
		g.tampered = fmt.Sprintf(format, a...)
	}
}

// scan looks for the timeout panic in any output.
func (g *grader) scan(out string) {
	for _, ln := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if m := timeoutRe.FindStringSubmatch(ln); m != nil {
			g.timedOut, g.inRunning = m[1], false
			continue
		}
		if g.timedOut != "" {
			if strings.TrimSpace(ln) == "running tests:" {
				g.inRunning = true
				continue
			}
			if g.inRunning {
				if m := runningRe.FindStringSubmatch(ln); m != nil && !strings.Contains(m[1], "/") {
					g.running = append(g.running, m[1])
					continue
				}
				g.inRunning = false
			}
		}
	}
}

// output splits a test's output between its own messages (t.Error lines from the hidden test
// file and their continuation lines) and everything else, which is the learner's.
func (g *grader) output(ts *testState, sub, out string) {
	for _, ln := range strings.SplitAfter(out, "\n") {
		if ln == "" {
			continue
		}
		body := strings.TrimRight(ln, "\n")
		if framingRe.MatchString(body) {
			ts.inMsg = -1
			continue
		}
		posRe := hiddenPosRe
		if g.posRe != nil {
			posRe = g.posRe
		}
		if m := posRe.FindStringSubmatch(body); m != nil {
			ts.inMsg = len(m[1])
			text := body[len(m[0]):]
			if g.keepPos {
				text = body[len(m[1]):]
			}
			if sub != "" {
				text = strings.ReplaceAll(sub, "_", " ") + ": " + text
			}
			ts.msg.add(text+"\n", &g.kept)
			continue
		}
		if ts.inMsg >= 0 && strings.HasPrefix(body, strings.Repeat(" ", ts.inMsg+4)) {
			ts.msg.add("  "+body[ts.inMsg+4:]+"\n", &g.kept)
			continue
		}
		ts.inMsg = -1
		if strings.HasPrefix(body, "panic: ") && ts.panic == "" && !timeoutRe.MatchString(body) {
			ts.panic = strings.TrimSuffix(body, " [recovered]")
			if g.panicked == "" {
				g.panicked = ts.name
			}
		}
		ts.out.add(g.relPaths(body)+"\n", &g.kept)
	}
}

// relPaths shows the learner's files relative to the lab folder and the hidden files by name.
func (g *grader) relPaths(s string) string {
	if g.plan != nil {
		for src, show := range g.plan.hidden {
			if strings.Contains(s, src) {
				s = strings.ReplaceAll(s, src, show)
			}
			if rel, err := filepath.Rel(g.dir, src); err == nil && strings.Contains(s, rel) {
				s = strings.ReplaceAll(s, rel, show)
			}
		}
	}
	s = strings.ReplaceAll(s, g.dir+string(filepath.Separator), "")
	return s
}

// finish grades what was seen once the run is over.
func (g *grader) finish(res *runner.Result, limit time.Duration) *Report {
	switch {
	case g.buildFail || (!g.started && len(g.build) > 0):
		errs := g.compileErrors(10)
		msg := "your code does not compile"
		for _, e := range errs {
			if strings.HasPrefix(e, "hidden test ") {
				// Only when the tests are part of the problem: else it sends the learner looking there.
				msg = "your code does not compile with the hidden tests"
				break
			}
		}
		if len(errs) > 0 {
			msg += ":\n" + strings.Join(errs, "\n")
		}
		if hint := g.compileHint(errs); hint != "" {
			msg += "\n" + hint
		}
		return g.report(Error, msg, strings.Join(errs, "\n"))
	case !g.started && res.Killed == "":
		msg := strings.TrimSpace(g.relPaths(res.Stderr))
		if msg == "" {
			msg = strings.TrimSpace(g.pkgOut.String())
		}
		if msg == "" {
			msg = fmt.Sprintf("go test stopped (exit status %d) before running any test", res.ExitCode)
		}
		return g.report(Error, "go test could not run the hidden tests:\n"+capLines(msg, 20), "")
	case g.limit != "":
		return g.report(Error, g.limit+g.during()+": the check was stopped, so nothing it reported is graded", "")
	case res.Killed == runner.Flooded:
		return g.report(Error, fmt.Sprintf("your code printed more than %d MB, so the check was stopped%s: remove prints and logs from loops", MaxRawOutput>>20, g.during()), "")
	case res.Killed == runner.Expired:
		if !g.started {
			return g.report(Timeout, fmt.Sprintf("compiling took longer than %s, so the check was stopped: try again (the first build after a Go update is slow)", BuildTimeout), "")
		}
		if run := g.runningTests(); len(run) > 0 {
			return g.report(Timeout, fmt.Sprintf("%s was still running when the time limit (%s) ran out, and the test program did not stop by itself: look for an infinite loop or something blocked forever (a channel, a lock, a request without a timeout)", strings.Join(run, ", "), limit), "")
		}
		return g.report(Timeout, fmt.Sprintf("the test program did not finish within the time limit (%s) and no test was running: look for an infinite loop at startup (in init or a package-level variable)", limit), "")
	case g.tampered != "":
		return g.report(Error, "the test results could not be trusted ("+g.tampered+"): something printed lines that imitate the testing framework's own (\"=== RUN ...\", \"--- PASS: ...\"). Remove that output and check again", "")
	case g.timedOut != "":
		return g.report(Timeout, fmt.Sprintf("%s was still running when the time limit (%s) ran out: look for an infinite loop or something blocked forever (a channel, a lock, a request without a timeout)", orUnknown(strings.Join(g.running, ", ")), g.timedOut), "")
	}
	// A package that failed while every test it ran passed: the binary died after the tests
	// (or faked their results). Nothing it reported can be trusted.
	if g.pkgAction != "pass" {
		anyFail := false
		ran := 0
		for _, ts := range g.order {
			if ts.state != "" {
				ran++
			}
			if ts.state == "done" && ts.status != Pass {
				anyFail = true
			}
		}
		if !anyFail && ran == len(g.order) {
			tail := lastLines(g.pkgOut.String(), 5)
			return g.report(Error, fmt.Sprintf("the test program exited with an error (exit status %d) although every test passed: does your code call os.Exit, or crash outside a test?\n%s", res.ExitCode, tail), "")
		}
	}
	return g.report("", "", "")
}

func orUnknown(s string) string {
	if s == "" {
		return "a test"
	}
	return s
}

func (g *grader) runningTests() []string {
	var out []string
	for _, ts := range g.order {
		if ts.state == "running" || ts.state == "paused" {
			out = append(out, ts.name)
		}
	}
	return out
}

func (g *grader) during() string {
	if run := g.runningTests(); len(run) > 0 {
		return " during " + strings.Join(run, ", ")
	}
	return ""
}

// compileErrors returns the first n compiler errors, with paths relative to the lab folder.
func (g *grader) compileErrors(n int) []string {
	var out []string
	for _, chunk := range g.build {
		for _, ln := range strings.Split(strings.TrimRight(chunk, "\n"), "\n") {
			if ln == "" || strings.HasPrefix(ln, "# ") {
				continue
			}
			ln = strings.TrimPrefix(g.relPaths(ln), "./")
			ln = strings.ReplaceAll(ln, "\t./", "\t")
			if len(out) == n {
				return append(out, "(more errors follow: fix these first)")
			}
			out = append(out, ln)
		}
	}
	return out
}

func (g *grader) compileHint(errs []string) string {
	for _, e := range errs {
		for name := range g.tests {
			if strings.Contains(e, name+" redeclared") {
				return fmt.Sprintf("%s is the name of a hidden test: rename your function", name)
			}
		}
		if strings.HasPrefix(e, "hidden test ") && strings.Contains(e, "undefined:") {
			return "the hidden tests use a function or type the starter defines: did you rename or delete it? (`lab reset` restores the starter, keeping a backup)"
		}
	}
	return ""
}

// report builds the Report. With a status, every test not passed carries msg; without one,
// the tests are graded as they ran.
func (g *grader) report(status Status, msg, build string) *Report {
	r := &Report{Lab: g.lab.ID, Title: g.lab.Title, Status: status, Message: msg, Build: build}
	whole := status != ""
	for _, task := range g.lab.Tasks {
		tr := TaskResult{ID: task.ID, Title: task.Title, Status: Pass, HintCount: len(task.Hints)}
		for _, name := range task.Tests {
			ts := g.tests[name]
			res := TestResult{Name: name, TaskID: task.ID, Status: ts.status, Elapsed: ts.elapsed,
				Message: strings.TrimRight(ts.msg.String(), "\n"), Output: strings.TrimRight(ts.out.String(), "\n"),
				Truncated: ts.msg.cut > 0 || ts.out.cut > 0}
			switch {
			case whole && status == Error && (!g.started || g.buildFail):
				res.Status, res.Message = Error, "not run: "+firstLine(msg)
			case whole && status == Timeout && (ts.state == "running" || ts.state == "paused" || contains(g.running, name)):
				res.Status = Timeout
				res.Message = joinMsg(fmt.Sprintf("still running when the time limit ran out (%s)", firstLine(msg)), res.Message)
			case whole && ts.state == "":
				res.Status, res.Message = Fail, "not run: "+firstLine(msg)
			case whole && ts.state != "done":
				res.Status, res.Message = status, joinMsg("not finished: "+firstLine(msg), res.Message)
			case whole && status == Error && (g.tampered != "" || g.pkgAction != "pass"):
				res.Status, res.Message = Fail, joinMsg("not graded: "+firstLine(msg), res.Message)
			case ts.state == "":
				res.Status, res.Message = Fail, g.notRun()
			case ts.state != "done":
				res.Status, res.Message = Fail, "did not finish: the test program stopped during this test"
			case ts.status == "skip":
				res.Status, res.Message = Fail, joinMsg("skipped (a skipped test does not pass)", res.Message)
			case ts.status == Fail && ts.panic != "":
				res.Message = joinMsg(res.Message, "your code panicked: "+strings.TrimPrefix(ts.panic, "panic: ")+" (the stack trace is in the output)")
			case ts.status == Fail && res.Message == "":
				res.Message = "failed without a message: see the output"
			}
			if res.Status != Pass && tr.Status == Pass {
				tr.Status, tr.Message = res.Status, res.Message
				if res.Status == Timeout || res.Status == Error {
					tr.Status = res.Status
				}
			}
			tr.Tests = append(tr.Tests, res)
		}
		r.Tasks = append(r.Tasks, tr)
	}
	if !whole {
		r.Status = Pass
		for _, tr := range r.Tasks {
			if tr.Status != Pass {
				r.Status = Fail
			}
		}
	}
	return r
}

func (g *grader) notRun() string {
	if g.panicked != "" {
		return fmt.Sprintf("did not run: the test program stopped when your code panicked in %s", g.panicked)
	}
	anyRan := false
	for _, ts := range g.order {
		anyRan = anyRan || ts.state != ""
	}
	if !anyRan {
		if p, at := startupPanic(g.pkgOut.String(), g.dir); p != "" {
			return "did not run: your code panicked at startup (in init or a package-level variable" + at + "): " + p
		}
		return "did not run: the test program exited before running any test. Does your code call os.Exit, log.Fatal or flag.Parse at startup (in init or a package-level variable)?"
	}
	return "did not run: the test program exited before this test (os.Exit or log.Fatal in your code?)"
}

// startupPanic finds the message of a panic printed before any test ran, and where in the
// learner's folder it happened (" at main.go:12"), from the stack trace.
func startupPanic(out, dir string) (msg, at string) {
	for _, ln := range strings.Split(out, "\n") {
		if msg == "" {
			if m, ok := strings.CutPrefix(ln, "panic: "); ok && !timeoutRe.MatchString(ln) {
				msg = strings.TrimSuffix(m, " [recovered]")
			}
			continue
		}
		if f, ok := strings.CutPrefix(ln, "\t"+dir+string(filepath.Separator)); ok {
			f, _, _ = strings.Cut(f, " +0x")
			return msg, " at " + f
		}
	}
	return msg, ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func joinMsg(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "\n" + b
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return strings.TrimSuffix(s, ":")
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func capLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = append(lines[:n], fmt.Sprintf("(%d more lines)", len(lines)-n))
	}
	return strings.Join(lines, "\n")
}

// capped keeps the head and the tail of a stream, and counts what it cut.
type capped struct {
	head, tail []byte
	cut        int
}

func (c *capped) add(s string, kept *int) {
	headMax, tailMax := MaxTestOutput/4, MaxTestOutput-MaxTestOutput/4
	if len(c.head) < headMax && *kept < MaxTotalOutput {
		n := min(len(s), headMax-len(c.head))
		c.head = append(c.head, s[:n]...)
		*kept += n
		s = s[n:]
	}
	if s == "" {
		return
	}
	if *kept >= MaxTotalOutput && len(c.tail) == 0 {
		c.cut += len(s)
		return
	}
	c.tail = append(c.tail, s...)
	if over := len(c.tail) - tailMax; over > tailMax {
		c.cut += over
		c.tail = append(c.tail[:0], c.tail[over:]...)
	}
}

func (c *capped) String() string {
	tail := c.tail
	cut := c.cut
	if over := len(tail) - (MaxTestOutput - MaxTestOutput/4); over > 0 {
		cut += over
		tail = tail[over:]
	}
	if cut == 0 {
		return string(c.head) + string(tail)
	}
	return string(c.head) + fmt.Sprintf("\n… %d bytes cut …\n", cut) + string(tail)
}
