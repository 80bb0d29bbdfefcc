package checker

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/learnlab/lab/internal/runner"
	"github.com/learnlab/lab/internal/sandbox"
)

// A check is two steps (SEAMS.md, seam 1): the go command compiles the learner's package with
// the hidden tests into a test binary, in a folder only lab writes to; then lab runs that
// binary itself. Running it directly, rather than under `go test`, makes it lab's own child:
// the kernel kills it when lab dies (parent-death signal), even while learner init blocks and
// the test binary's own -timeout is not armed yet; and a sandbox can run the binary alone,
// with no Go toolchain, no sources and no build cache in sight.

// compileSpec is one `go test -c`.
type compileSpec struct {
	GoPath   string
	Dir      string   // the learner's module root: the go command runs there
	Overlay  string   // -overlay file
	Out      string   // where the binary goes; its folder must be lab's own (0700)
	Env      []string // the go command's environment (CGO_ENABLED and GOTMPDIR are set here)
	TmpDir   string   // GOTMPDIR: the go command's work folder, inside lab's own check folder
	Flags    []string // more build flags, e.g. "-ldflags=-s -w"
	Module   string   // the learner's module path: its packages are "your code" in progress
	Deadline *runner.Deadline
	// OnLine receives the go command's build events (test2json's build-output and build-fail
	// lines), without the -x command echoes: what the grader reads compile errors from.
	OnLine   func([]byte)
	Progress func(Event) // Building events
}

// compileTests builds the test binary. bin is "" when no binary was made: res says why (a
// compile error reached OnLine, a go command error is in res.Stderr, or res.Killed). err is
// only for failing to start the go command.
//
// CGO_ENABLED=0 makes a static binary, which a sandbox can run without the host's C library,
// and skips the C toolchain (a gcc missing or slow is not the learner's problem).
func compileTests(ctx context.Context, c compileSpec) (bin string, res *runner.Result, err error) {
	set := map[string]string{"CGO_ENABLED": "0"}
	if c.TmpDir != "" {
		// The go command's work folder (go-build*) lives in lab's check folder, so that a go
		// command killed outright leaves nothing in /tmp that the next check does not sweep.
		set["GOTMPDIR"] = c.TmpDir
	}
	env := runner.Env(c.Env, set)
	// -x is only for progress: the go command echoes each command it runs, so lab sees which
	// packages are compiled (dependencies on a cold cache, or the learner's code). -x does not
	// change what is built or cached.
	args := []string{"test", "-c", "-o", c.Out, "-json", "-x", "-mod=readonly", "-tags=labcheck", "-vet=off"}
	args = append(args, c.Flags...)
	args = append(args, "-overlay="+c.Overlay, ".")
	b := &buildProgress{module: c.Module, emit: c.Progress, errs: map[string]bool{}, forward: c.OnLine}
	res, err = runner.Run(ctx, runner.Spec{
		Path: c.GoPath, Args: args, Dir: c.Dir, Env: env,
		Deadline: c.Deadline, OnLine: b.line,
	})
	if err != nil || res.Killed != "" || res.ExitCode != 0 || b.failed {
		return "", res, err
	}
	if c.Out != os.DevNull {
		if _, serr := os.Stat(c.Out); serr != nil {
			return "", res, fmt.Errorf("the go command made no test binary at %s: %v", c.Out, serr)
		}
	}
	return c.Out, res, nil
}

// buildProgress reads `go test -c -json -x`: command echoes become Building events, the rest
// (compile errors) goes to the grader.
type buildProgress struct {
	module  string
	emit    func(Event)
	forward func([]byte)
	errs    map[string]bool // packages whose error report ("# pkg" header) has begun
	failed  bool
	deps    bool   // a dependency was compiled: the cache was cold
	last    string // the last Detail emitted
}

// toolRe finds the compiler or linker in an -x command echo, and the package it builds.
var toolRe = regexp.MustCompile(`(?:^|/)(?:compile|link)(?:\.exe)? .*?-p (\S+)|(?:^|/)link(?:\.exe)? `)

func (b *buildProgress) line(raw []byte) {
	var e event
	if len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &e) != nil {
		return
	}
	switch e.Action {
	case "build-fail":
		b.failed = true
		b.forwardLine(raw)
		return
	case "build-output":
	default:
		b.forwardLine(raw)
		return
	}
	if strings.HasPrefix(e.Output, "# ") {
		// The go command's report of a failed command starts with "# <package>": from here on
		// this package's output is the compiler's, not an echo.
		b.errs[e.ImportPath] = true
	}
	if b.errs[e.ImportPath] || !isEcho(e) {
		b.forwardLine(raw)
		return
	}
	first, _, _ := strings.Cut(e.Output, "\n")
	if !toolRe.MatchString(first) {
		return
	}
	pkg, _, _ := strings.Cut(e.ImportPath, " ")
	if b.ours(pkg) {
		b.progress(Event{Kind: Building, Detail: "compiling your code"})
		return
	}
	ev := Event{Kind: Building, Detail: "building dependencies (" + pkg + ")"}
	if !b.deps {
		b.deps, ev.ColdCache = true, true
	}
	b.progress(ev)
}

func (b *buildProgress) forwardLine(raw []byte) {
	if b.forward != nil {
		b.forward(raw)
	}
}

func (b *buildProgress) progress(e Event) {
	if e.Detail == b.last && !e.ColdCache {
		return
	}
	b.last = e.Detail
	if b.emit != nil {
		b.emit(e)
	}
}

func (b *buildProgress) ours(pkg string) bool {
	pkg = strings.TrimSuffix(pkg, ".test")
	return b.module != "" && (pkg == b.module || strings.HasPrefix(pkg, b.module+"/"))
}

// echoRe matches what -x prints for the commands the go command runs itself.
var echoRe = regexp.MustCompile(`^(WORK=|mkdir |cd |cat |cp |mv |rm |touch |ln |echo |\S*/pkg/tool/\S+ |\S+/(compile|link|asm|pack|buildid|cgo)(\.exe)? )`)

func isEcho(e event) bool { return echoRe.MatchString(e.Output) }

// testRun is one run of a compiled test binary.
type testRun struct {
	Bin, Dir  string
	Args, Env []string
	Pkg       string // the package name test2json puts in its events
	Deadline  *runner.Deadline
	MaxOutput int64
	OnLine    func([]byte)    // test2json event lines
	Sandbox   sandbox.Backend // nil: run directly (today's local behaviour)
	Limits    sandbox.Limits
	Services  map[string]string // for a sandbox: the only endpoints it may reach
}

// testArgs are the test binary's flags for running the named tests once, as `go test` would
// pass them (-test.paniconexit0 makes os.Exit(0) inside a test a failure, not a silent end).
func testArgs(names []string, timeout time.Duration) []string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = regexp.QuoteMeta(n)
	}
	return []string{"-test.v=test2json", "-test.paniconexit0", "-test.count=1",
		"-test.timeout=" + timeout.String(), "-test.run=^(" + strings.Join(quoted, "|") + ")$"}
}

// runTests runs tr.Bin and streams its output, turned into test2json events by
// `go tool test2json` (lab's own process, never inside a sandbox), to tr.OnLine. The error is
// only for failing to start; how the binary ended is in the Result.
func runTests(ctx context.Context, tr testRun) (*sandbox.Result, error) {
	conv, err := startTest2JSON(tr.Pkg, filepath.Dir(tr.Bin), tr.OnLine)
	if err != nil {
		return nil, err
	}
	var res *sandbox.Result
	if tr.Sandbox != nil {
		res, err = tr.Sandbox.Run(ctx, sandbox.Spec{
			Binary: tr.Bin, Args: tr.Args, Dir: tr.Dir, Env: tr.Env, Services: tr.Services,
			Limits: tr.Limits, Deadline: tr.Deadline, MaxOutput: tr.MaxOutput, OnLine: conv.line,
		})
	} else {
		var rr *runner.Result
		rr, err = runner.Run(ctx, runner.Spec{
			Path: tr.Bin, Args: tr.Args, Dir: tr.Dir, Env: tr.Env, MergeStderr: true,
			Deadline: tr.Deadline, MaxOutput: tr.MaxOutput, OnLine: conv.line,
		})
		if rr != nil {
			res = &sandbox.Result{Result: *rr}
		}
	}
	if tr.Sandbox != nil && res != nil && res.Stderr != "" {
		// A backend that keeps stderr apart: its panics and timeout traces still reach the
		// grader, after the output (their order among the test events is lost).
		for _, ln := range strings.Split(strings.TrimRight(res.Stderr, "\n"), "\n") {
			conv.line([]byte(ln))
		}
	}
	if res != nil && res.ExitCode != 0 {
		// What go test adds after a failed binary: test2json holds a test's "--- FAIL" until
		// the next framing line, and a panicking binary prints none. lab writes this line, after
		// the binary is gone, so no learner output can imitate it.
		if res.Output == 0 {
			conv.line([]byte(fmt.Sprintf("exit status %d", res.ExitCode)))
		}
		conv.line([]byte("\x16FAIL\t" + tr.Pkg))
	}
	cerr := conv.close()
	if err != nil {
		return res, err
	}
	if cerr != nil && res.Killed == "" {
		return res, cerr
	}
	return res, nil
}

// test2json is a running `go tool test2json -t -p pkg` fed line by line.
type test2json struct {
	cmd  *exec.Cmd
	in   io.WriteCloser
	buf  *bufio.Writer
	mu   sync.Mutex
	done chan struct{}
	werr error
}

// scratch is lab's own folder for the go command's work files (a `go tool` killed with lab
// leaves its go-build folder there, and the next check sweeps it with the check folder).
func startTest2JSON(pkg, scratch string, on func([]byte)) (*test2json, error) {
	goPath, err := runner.GoPath()
	if err != nil {
		return nil, err
	}
	t2j, pre := test2jsonCommand(goPath)
	cmd := exec.Command(t2j, append(pre, "-t", "-p", pkg)...)
	cmd.Env = runner.Env(os.Environ(), map[string]string{"GOFLAGS": "", "GOWORK": "off", "GOTOOLCHAIN": "local", "GOTMPDIR": scratch})
	cmd.SysProcAttr = &syscall.SysProcAttr{}
	runner.DieWithParent(cmd.SysProcAttr)
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, envErr("start go tool test2json: %v", err)
	}
	t := &test2json{cmd: cmd, in: in, buf: bufio.NewWriterSize(in, 64<<10), done: make(chan struct{})}
	go func() {
		defer close(t.done)
		br := bufio.NewReaderSize(out, 1<<20)
		for {
			ln, err := br.ReadBytes('\n')
			if ln = bytes.TrimSuffix(ln, []byte("\n")); len(ln) > 0 && on != nil {
				on(ln)
			}
			if err != nil {
				return
			}
		}
	}()
	return t, nil
}

// line feeds one line of the binary's output. A line was cut at its newline, so the newline
// goes back; flushed at once, so the grader sees a test start when it starts.
func (t *test2json) line(b []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.werr != nil {
		return
	}
	t.buf.Write(b)
	t.buf.WriteByte('\n')
	t.werr = t.buf.Flush()
}

func (t *test2json) close() error {
	t.mu.Lock()
	t.buf.Flush()
	t.in.Close()
	t.mu.Unlock()
	<-t.done
	if err := t.cmd.Wait(); err != nil {
		return envErr("go tool test2json: %v", err)
	}
	return nil
}

// mutationDirPrefix names mutation mode's folders, in the same form.
const mutationDirPrefix = "lab-mutation-"

// checkDirPrefix names lab's per-check folders: lab-check-<pid>-<random>, so a later check can
// tell the folders of a lab that died (kill -9, a closed terminal) and remove them.
const checkDirPrefix = "lab-check-"

// newCheckDir makes a check folder (0700: os.MkdirTemp) after sweeping dead checks' folders.
func newCheckDir(kind string) (string, error) {
	sweepCheckDirs()
	return os.MkdirTemp("", fmt.Sprintf("%s%d-", kind, os.Getpid()))
}

// sweepCheckDirs removes the check folders of lab processes that no longer run.
func sweepCheckDirs() { runner.SweepTempDirs(checkDirPrefix, mutationDirPrefix) }
