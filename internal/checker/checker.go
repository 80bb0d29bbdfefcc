// Package checker grades a learner's lab folder with the lab's hidden tests: it overlays them
// into the learner's module (nothing is written there), runs `go test -json` through package
// runner, maps test2json events to tasks and returns a Report. It never prints.
package checker

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/learnlab/lab/internal/course"
	"github.com/learnlab/lab/internal/runner"
	"github.com/learnlab/lab/internal/sandbox"
)

// Acquirer is services.Acquirer (same method set, so any services.Acquirer fits): it makes the
// lab's services ready for one check and returns their env (REDIS_URL=..., DATABASE_URL=...).
// Declared here so grading does not depend on the services package's build.
type Acquirer interface {
	Acquire(ctx context.Context, names []string) (env []string, release func(), err error)
}

// ErrEnvironment is wrapped by every error Run and Warm return for a problem of the machine
// (Go missing, services unavailable): the CLI exits 3 on it. A learner's broken code is never
// an error, it is a Report.
var ErrEnvironment = errors.New("environment")

// envError wraps a cause so that errors.Is(err, ErrEnvironment) holds and the message stays the cause's.
type envError struct{ err error }

func (e envError) Error() string           { return e.err.Error() }
func (e envError) Unwrap() []error         { return []error{ErrEnvironment, e.err} }
func envErr(format string, a ...any) error { return envError{fmt.Errorf(format, a...)} }

// Limits on what a check keeps and tolerates. Variables so tests can shrink them.
var (
	// MaxTestOutput is what is kept of one test's output (head and tail, with a note of the cut).
	MaxTestOutput = 8 << 10
	// MaxTotalOutput is what is kept of all output together.
	MaxTotalOutput = 1 << 20
	// MaxRawOutput stops a run whose output exceeds it: a learner loop printing forever.
	MaxRawOutput int64 = 32 << 20
	// BuildTimeout bounds compiling (a cold build cache with heavy dependencies is slow).
	BuildTimeout = 5 * time.Minute
)

// Options says what to check.
type Options struct {
	Course   *course.Course
	Lab      *course.Lab
	Dir      string      // the learner's lab folder, a module root
	Services Acquirer    // may be nil when the lab lists no services
	Progress func(Event) // optional; called from the goroutine reading the tests' output
	// PassedBefore holds the ids of tasks that passed at least once (TaskResult.WasPassing).
	PassedBefore map[string]bool
	// Timeout bounds the tests' run (go test -timeout); 0 means the lab's. The run is killed
	// a grace period after it (SIGTERM, then SIGKILL), compile time not counted.
	Timeout time.Duration
	// FreshSeal draws new seal numbers for this check (see seal.go): stronger against forged
	// results where the seal key is readable, but the package is recompiled every time. Also on
	// with LAB_SEAL=fresh, and with CI=true when the check is not sandboxed.
	FreshSeal bool
	// Sandbox runs the test binary behind walls (see package sandbox); nil runs it directly, as
	// on a learner's own machine. A sandboxed check reaches only its own services and cannot
	// see the machine's seal key, so its keyed seals cannot be forged from it.
	Sandbox sandbox.Backend
	Limits  sandbox.Limits // for a sandboxed run; zero fields take the sandbox's defaults

	// schemaNotes receives, in mode = "mutation", why mutants could not share one compiled
	// schema (dev check reports them to the lab author).
	schemaNotes func(string)
}

func (o *Options) sandboxed() bool { return o.Sandbox != nil && o.Sandbox.Name() != "none" }

func (o *Options) fresh() bool {
	// In a sandbox the seal key is out of reach, so keyed seals are as good as fresh ones there
	// and keep the build cache warm (seal.go). In CI without one, the key is readable.
	return o.FreshSeal || os.Getenv("LAB_SEAL") == "fresh" || (os.Getenv("CI") == "true" && !o.sandboxed())
}

func (o *Options) timeout() time.Duration {
	if o.Timeout > 0 {
		return o.Timeout
	}
	if o.Lab != nil && o.Lab.Timeout > 0 {
		return o.Lab.Timeout
	}
	return course.DefaultTimeout
}

// grace is how long after the tests' own timeout the hard deadline falls.
func grace(t time.Duration) time.Duration {
	return min(max(t/4, 3*time.Second), 15*time.Second)
}

// Run grades opts.Dir. The error is only for environment problems (errors.Is(err,
// ErrEnvironment)) and for a cancelled ctx (the process group is killed first).
func Run(ctx context.Context, opts Options) (*Report, error) {
	start := time.Now()
	if opts.Course == nil || opts.Lab == nil {
		return nil, errors.New("checker: Options.Course and Options.Lab are required")
	}
	l := opts.Lab
	if l.Mode != course.ModeTests && l.Mode != course.ModeMutation {
		return nil, fmt.Errorf("%s has mode %q, which this version of lab cannot grade (update lab)", l.ID, l.Mode)
	}
	goPath, err := runner.GoPath()
	if err != nil {
		return nil, envError{err}
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, err
	}
	g := newGrader(l, dir, opts.Progress)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		r := g.report(Error, fmt.Sprintf("the lab folder %s is missing: run `lab reset %d` to get the starter back", dir, l.Number), "")
		r.Duration = time.Since(start)
		return r, nil
	}

	env := checkEnv()
	var services []string // NAME=URL of this check's services
	if len(l.Services) > 0 {
		if opts.Services == nil {
			return nil, envErr("%s needs %s, and no service provider was given", l.ID, strings.Join(l.Services, " and "))
		}
		g.emit(Event{Kind: Services, Detail: serviceNames(l.Services)})
		senv, release, err := opts.Services.Acquire(ctx, l.Services)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, envError{fmt.Errorf("start %s for %s: %w", strings.Join(l.Services, ", "), l.ID, err)}
		}
		if release != nil {
			defer release()
		}
		env = append(env, senv...)
		services = senv
	}

	if err := waitForWarm(ctx, dir, g.emit); err != nil {
		return nil, err
	}
	if l.Mode == course.ModeMutation {
		r, err := runMutation(ctx, opts, goPath, dir, env, services)
		if err != nil {
			return nil, err
		}
		return finishReport(r, opts, start), nil
	}

	p, err := prepare(opts.Course, l, dir, opts.fresh())
	if err != nil {
		return nil, err
	}
	defer p.cleanup()
	g.plan = p

	t := opts.timeout()
	var names []string
	for _, task := range l.Tasks {
		names = append(names, task.Tests...)
	}
	g.emit(Event{Kind: Building, Detail: "compiling your code"})
	bin, cres, err := compileTests(ctx, compileSpec{
		GoPath: goPath, Dir: dir, Overlay: p.overlay, Out: filepath.Join(p.binDir(), "check.test"),
		Env: env, TmpDir: p.gotmp(), Module: p.module,
		Deadline: runner.NewDeadline(time.Now().Add(BuildTimeout)),
		OnLine:   g.line, Progress: g.emit,
	})
	if err != nil {
		return nil, envErr("run go test: %v", err)
	}
	if cres.Killed == runner.Canceled {
		return nil, ctx.Err()
	}
	var res *runner.Result
	if bin == "" {
		res = cres
	} else {
		p.compiled()
		dl := runner.NewDeadline(time.Now().Add(t + grace(t)))
		g.begin()
		tr := testRun{
			Bin: bin, Dir: dir, Args: testArgs(names, t), Env: env, Pkg: p.module,
			Deadline: dl, MaxOutput: MaxRawOutput, OnLine: g.line,
		}
		if opts.Sandbox != nil {
			tr.Sandbox, tr.Limits = opts.Sandbox, opts.Limits
			tr.Env, tr.Services = sandboxEnv(services)
		}
		tr.Env = runner.Env(tr.Env, map[string]string{sealNonceEnv: p.nonce})
		sres, err := runTests(ctx, tr)
		if err != nil {
			return nil, envErr("run the tests: %v", err)
		}
		if sres.Killed == runner.Canceled {
			return nil, ctx.Err()
		}
		g.exited(sres.ExitCode)
		g.limit = sres.Limit
		res = &sres.Result
	}
	r := g.finish(res, t)
	for _, d := range p.dropped {
		r.Notes = append(r.Notes, fmt.Sprintf("ignored `%s` from your go.mod: checks always build with the course's pinned dependencies", d))
	}
	return finishReport(r, opts, start), nil
}

// sandboxEnv is the whole environment of a sandboxed test binary: nothing of lab's own (no
// HOME, no cache dirs, no tokens an instructor's shell holds), only this check's services,
// which the sandbox reaches and rewrites by their names.
func sandboxEnv(services []string) (env []string, urls map[string]string) {
	env = []string{"PATH=/usr/bin:/bin", "HOME=/tmp", "TMPDIR=/tmp", "LANG=C.UTF-8"}
	urls = map[string]string{}
	for _, kv := range services {
		if k, v, ok := strings.Cut(kv, "="); ok {
			urls[k] = v
			env = append(env, kv)
		}
	}
	return env, urls
}

// serviceNames says which services a check starts, for progress: "Redis and PostgreSQL".
func serviceNames(names []string) string {
	shown := make([]string, len(names))
	for i, n := range names {
		shown[i] = map[string]string{"redis": "Redis", "postgres": "PostgreSQL"}[n]
		if shown[i] == "" {
			shown[i] = n
		}
	}
	if len(shown) > 1 {
		return strings.Join(shown[:len(shown)-1], ", ") + " and " + shown[len(shown)-1]
	}
	return strings.Join(shown, "")
}

// finishReport stamps what every mode's report carries: the duration and was-passing flags.
func finishReport(r *Report, opts Options, start time.Time) *Report {
	r.Duration = time.Since(start)
	for i := range r.Tasks {
		tr := &r.Tasks[i]
		tr.WasPassing = opts.PassedBefore[tr.ID] && tr.Status != Pass
	}
	return r
}
