// Package runner runs the Go toolchain for lab: one command in its own process group, with a
// hard deadline, output caps and line streaming. It knows nothing about lessons or tests.
package runner

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ErrGoMissing is returned by Go when no go command is on PATH.
var ErrGoMissing = errors.New("the Go toolchain is not installed or not on PATH: install Go 1.26 or newer from https://go.dev/dl/ and make sure `go version` works in this terminal")

// GoPath returns the go command on PATH, the one the learner uses.
func GoPath() (string, error) {
	p, err := exec.LookPath("go")
	if err != nil {
		return "", ErrGoMissing
	}
	return p, nil
}

// KillGrace is how long a process group gets between SIGTERM and SIGKILL.
const KillGrace = 2 * time.Second

// Spec describes one run.
type Spec struct {
	Path string   // the program; "" means the go command on PATH
	Args []string // arguments after the program name
	Dir  string
	Env  []string // the whole environment (nil: the current one)

	// Deadline, when non-nil, is the hard limit: past it the process group is killed.
	// It may be moved while the command runs (see Deadline.Set).
	Deadline *Deadline
	// MaxOutput kills the run once stdout and stderr together exceed it (0: no limit).
	MaxOutput int64
	// OnLine receives each stdout line, without its newline, as it arrives. The slice is
	// reused after the call returns. Lines longer than MaxLine are cut.
	OnLine func(line []byte)
	// MaxLine bounds one delivered line (default 1 MiB); the rest of the line is dropped.
	MaxLine int
	// StderrCap bounds the stderr kept in Result (default 64 KiB; later bytes are counted, not kept).
	StderrCap int
	// MergeStderr sends stderr into the stdout stream (OnLine), in the order written, as go test
	// does for a test binary: a panic must appear where it happened among the test events.
	MergeStderr bool
}

// Result is how a run ended.
type Result struct {
	ExitCode int    // -1 when killed by a signal
	Stderr   string // capped
	Killed   Reason // why lab killed it, or "" when it ended by itself
	Output   int64  // bytes seen on stdout and stderr
	Duration time.Duration
}

// Reason says why a run was stopped.
type Reason string

const (
	Canceled Reason = "canceled" // the context was cancelled (Ctrl-C, the TUI moved on)
	Expired  Reason = "deadline" // the hard deadline passed
	Flooded  Reason = "flooded"  // the output exceeded MaxOutput
)

// Deadline is a movable point in time.
type Deadline struct {
	mu sync.Mutex
	at time.Time
	ch chan struct{}
}

// NewDeadline returns a deadline at t.
func NewDeadline(t time.Time) *Deadline { return &Deadline{at: t, ch: make(chan struct{}, 1)} }

// Set moves the deadline.
func (d *Deadline) Set(t time.Time) {
	d.mu.Lock()
	d.at = t
	d.mu.Unlock()
	select {
	case d.ch <- struct{}{}:
	default:
	}
}

// Get returns the current deadline.
func (d *Deadline) Get() time.Time { return d.get() }

func (d *Deadline) get() time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.at
}

// Run starts the command in a new process group and waits for it and for its output. The
// error is only for failing to start it; a non-zero exit is in Result.
func Run(ctx context.Context, s Spec) (*Result, error) {
	start := time.Now()
	path := s.Path
	if path == "" {
		var err error
		if path, err = GoPath(); err != nil {
			return nil, err
		}
	}
	if s.MaxLine <= 0 {
		s.MaxLine = 1 << 20
	}
	if s.StderrCap <= 0 {
		s.StderrCap = 64 << 10
	}
	cmd := exec.Command(path, s.Args...)
	cmd.Dir = s.Dir
	cmd.Env = WithPWD(s.Env, s.Dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	DieWithParent(cmd.SysProcAttr)
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = outW, errW
	if s.MergeStderr {
		cmd.Stderr = outW
	}
	if err := cmd.Start(); err != nil {
		outR.Close()
		outW.Close()
		errR.Close()
		errW.Close()
		return nil, fmt.Errorf("start %s: %w", path, err)
	}
	outW.Close()
	errW.Close()
	pgid := cmd.Process.Pid

	var (
		mu     sync.Mutex
		reason Reason
		total  int64
	)
	kill := make(chan Reason, 1)
	stop := func(r Reason) {
		select {
		case kill <- r:
		default:
		}
	}
	count := func(n int) {
		mu.Lock()
		total += int64(n)
		over := s.MaxOutput > 0 && total > s.MaxOutput
		mu.Unlock()
		if over {
			stop(Flooded)
		}
	}

	var readers sync.WaitGroup
	readers.Add(2)
	go func() { // stdout: line by line, never blocking the child
		defer readers.Done()
		readLines(outR, s.MaxLine, count, s.OnLine)
	}()
	var stderr bytes.Buffer
	go func() {
		defer readers.Done()
		buf := make([]byte, 32<<10)
		for {
			n, err := errR.Read(buf)
			if n > 0 {
				count(n)
				if room := s.StderrCap - stderr.Len(); room > 0 {
					stderr.Write(buf[:min(n, room)])
				}
			}
			if err != nil {
				return
			}
		}
	}()

	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()

	var timer <-chan time.Time
	var t *time.Timer
	var dlMoved chan struct{}
	resetTimer := func() {
		if t != nil {
			t.Stop()
		}
		t = time.NewTimer(time.Until(s.Deadline.get()))
		timer = t.C
	}
	if s.Deadline != nil {
		dlMoved = s.Deadline.ch
		resetTimer()
	}
	var waitErr error
	var killTimer <-chan time.Time
loop:
	for {
		select {
		case waitErr = <-waited:
			break loop
		case <-ctx.Done():
			stop(Canceled)
		case <-timer:
			if time.Now().Before(s.Deadline.get()) {
				resetTimer()
				continue
			}
			stop(Expired)
		case <-dlMoved:
			resetTimer()
		case r := <-kill:
			mu.Lock()
			if reason == "" {
				reason = r
				_ = syscall.Kill(-pgid, syscall.SIGTERM)
				killTimer = time.After(KillGrace)
			}
			mu.Unlock()
		case <-killTimer:
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
		}
	}
	if t != nil {
		t.Stop()
	}
	// The leader is gone; whatever it left in its group (a test binary, the learner's own
	// children) goes too, so the pipes close.
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	done := make(chan struct{})
	go func() { readers.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(KillGrace):
		// Something outside the group holds the pipes: stop reading.
		outR.Close()
		errR.Close()
		<-done
	}
	outR.Close()
	errR.Close()

	res := &Result{Stderr: stderr.String(), Duration: time.Since(start), Killed: reason, Output: total}
	res.ExitCode = cmd.ProcessState.ExitCode()
	var ee *exec.ExitError
	if waitErr != nil && !errors.As(waitErr, &ee) {
		return res, waitErr
	}
	return res, nil
}

// readLines splits r into lines, delivering at most max bytes of each, and keeps reading to the
// end whatever the callback does, so the writer never blocks on a full pipe.
func readLines(r io.Reader, max int, count func(int), on func([]byte)) {
	br := bufio.NewReaderSize(r, 64<<10)
	var long []byte
	cut := false
	for {
		chunk, err := br.ReadSlice('\n')
		count(len(chunk))
		switch {
		case err == bufio.ErrBufferFull:
			if !cut {
				long = append(long, chunk...)
				if len(long) > max {
					long, cut = long[:max], true
				}
			}
			continue
		case len(long) > 0 || cut:
			if !cut {
				long = append(long, chunk...)
				if len(long) > max {
					long = long[:max]
				}
			}
			line := bytes.TrimSuffix(long, []byte("\n"))
			if on != nil && len(line) > 0 {
				on(line)
			}
			long, cut = long[:0], false
		default:
			line := bytes.TrimSuffix(chunk, []byte("\n"))
			if on != nil && len(line) > 0 {
				on(line)
			}
		}
		if err != nil {
			return
		}
	}
}

// WithPWD returns env (nil: the current environment) with PWD set to dir. The go command
// trusts $PWD for its working directory when it names the same folder; lab's own PWD names
// another, so without this it falls back to the physical path and, when the lab folder is
// reached through a symlink (macOS /tmp and /var are), misses every -overlay key made from the
// path lab was given. An empty dir leaves env as it is.
func WithPWD(env []string, dir string) []string {
	if dir == "" {
		return env
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	if env == nil {
		env = os.Environ()
	}
	return Env(env, map[string]string{"PWD": dir})
}

// Env returns the current environment with the given variables set (replacing any earlier
// value) and the unset ones removed.
func Env(base []string, set map[string]string, unset ...string) []string {
	drop := map[string]bool{}
	for _, k := range unset {
		drop[k] = true
	}
	for k := range set {
		drop[k] = true
	}
	var out []string
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if !drop[k] {
			out = append(out, kv)
		}
	}
	for k, v := range set {
		out = append(out, k+"="+v)
	}
	return out
}
