package checker

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/learnlab/lab/internal/course"
	"github.com/learnlab/lab/internal/runner"
)

// The warm-up and the first check share one build. `lab start` runs `lab dev warm` detached;
// it holds an exclusive lock on the workspace's .lab/warm-<lab>.lock while it compiles. A check
// takes the same lock shared before it compiles: while the warm-up runs it waits (and says
// so) instead of compiling the same packages beside it on the same cores, then finds
// everything in the build cache. The kernel drops the lock of a warm-up that died, so such a
// check just builds. Checks share the lock, so they never wait for each other.

// warmLockPath is the lock of the lab folder dir, "" outside a workspace (no .lab/ beside it).
func warmLockPath(dir string) string {
	meta := filepath.Join(filepath.Dir(dir), ".lab")
	if st, err := os.Stat(meta); err != nil || !st.IsDir() {
		return ""
	}
	return filepath.Join(meta, "warm-"+filepath.Base(dir)+".lock")
}

// holdWarmLock takes the warm-up's exclusive lock; release it when the build is done.
func holdWarmLock(dir string) func() {
	p := warmLockPath(dir)
	if p == "" {
		return func() {}
	}
	f, err := os.OpenFile(p, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return func() {}
	}
	if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
		// Another warm-up of this lab is building it already.
		f.Close()
		return nil
	}
	return func() { f.Close() }
}

// warmPoll is how often a waiting check tries the lock again.
const warmPoll = 100 * time.Millisecond

// waitForWarm waits while a warm-up of dir builds, with a Waiting event first.
func waitForWarm(ctx context.Context, dir string, emit func(Event)) error {
	p := warmLockPath(dir)
	if p == "" {
		return nil
	}
	f, err := os.Open(p)
	if err != nil {
		return nil // no warm-up ever ran here
	}
	defer f.Close()
	waited := false
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB)
		if err == nil {
			return nil // closing the file releases it
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			return nil
		}
		if !waited {
			waited = true
			emit(Event{Kind: Waiting, Detail: "the build `lab start` began in the background: this check uses it instead of compiling the same code twice"})
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(warmPoll):
		}
	}
}

// Warm compiles the learner's module together with the hidden tests, without running them, so
// that the first real check finds a warm build cache: the same packages, flags and environment
// as a check (in mode = "mutation", the mutant schema with the learner's tests). Compile
// errors are not reported: the next check shows them. A check that starts meanwhile waits for
// it. A second warm-up of the same lab returns at once.
func Warm(ctx context.Context, opts Options) error {
	if opts.Course == nil || opts.Lab == nil {
		return errors.New("checker: Options.Course and Options.Lab are required")
	}
	goPath, err := runner.GoPath()
	if err != nil {
		return envError{err}
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return err
	}
	release := holdWarmLock(dir)
	if release == nil {
		return nil
	}
	defer release()
	env := checkEnv()
	l := opts.Lab
	var p *plan
	if l.Mode == course.ModeMutation {
		p, err = warmSchema(opts.Course, l, dir, opts.fresh())
	} else {
		p, err = prepare(opts.Course, l, dir, opts.fresh())
	}
	if err != nil {
		return err
	}
	defer p.cleanup()
	// `go list -export` compiles every package of the test binary, the learner's package with
	// its tests included, into the build cache, under the same cache keys as the check's
	// `go test -c`, and skips the link: a check would link again anyway (links are not cached).
	_, err = runner.Run(ctx, runner.Spec{
		Path: goPath, Dir: dir, Env: runner.Env(env, map[string]string{"CGO_ENABLED": "0"}),
		Args:     []string{"list", "-export", "-test", "-mod=readonly", "-tags=labcheck", "-overlay=" + p.overlay, "-f", "{{.ImportPath}}", "."},
		Deadline: runner.NewDeadline(time.Now().Add(BuildTimeout)),
	})
	if err != nil {
		return envErr("warm the build cache: %v", err)
	}
	return ctx.Err()
}

// checkEnv is the go command's environment in a check.
func checkEnv() []string {
	return runner.Env(os.Environ(), map[string]string{"GOFLAGS": "", "GOWORK": "off", "GOTOOLCHAIN": "local"})
}

// warmSchema is the overlay the first check of a mutation lab compiles: the schema of the
// reference and its mutants with the learner's tests.
func warmSchema(c *course.Course, l *course.Lab, dir string, fresh bool) (*plan, error) {
	ref, err := referenceFiles(c, l)
	if err != nil {
		return nil, err
	}
	if len(ref) == 0 {
		return nil, errNoReference
	}
	mutants, err := loadMutants(c, l)
	if err != nil {
		return nil, err
	}
	numbers := keyedSealer(l.ID)
	if fresh {
		numbers = freshSealer()
	}
	code := map[string][]byte{}
	for name, data := range ref {
		code[name] = data
	}
	if sc, err := buildSchema(learnerLines(dir), ref, mutants, numbers); err == nil && len(sc.skipped) < len(mutants) {
		for name, data := range sc.files {
			code[name] = data
		}
	}
	return prepareCode(c, l, dir, code)
}

// WarmAll warms the build cache for every lab of c, from each starter, for a classroom that
// wants every first check fast: the dependencies and the standard library are compiled with
// the flags checks use. (A learner's own package is compiled again in its folder: it is small.)
// progress, when not nil, is told each lab before it starts.
func WarmAll(ctx context.Context, c *course.Course, progress func(l *course.Lab)) error {
	for _, l := range c.Labs {
		if l.Mode != course.ModeTests && l.Mode != course.ModeMutation {
			continue
		}
		if progress != nil {
			progress(l)
		}
		dir, cleanup, err := materialize(c, l, "starter")
		if err != nil {
			return fmt.Errorf("%s: %w", l.ID, err)
		}
		err = Warm(ctx, Options{Course: c, Lab: l, Dir: dir})
		cleanup()
		if err != nil && !errors.Is(err, errNoReference) {
			return fmt.Errorf("%s: %w", l.ID, err)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return nil
}
