// Package sandbox runs a compiled test binary behind walls, so that code nobody has read (a
// learner's submission graded by `lab grade` or in classroom CI) cannot fool its own check or
// reach anything beyond it.
//
// # What a sandboxed run guarantees (backends "bwrap" and "docker")
//
//   - The submission is mounted read-only; /tmp is private, writable, and nothing in it can be
//     executed. Nothing else of the host that matters is visible: no $HOME, no user cache dir
//     (seal key), no other submission, no --out, no .lab/.
//   - No network but the listed services: the run has its own network namespace with only a
//     loopback interface. For each service the launcher listens on 127.0.0.1:PORT inside and
//     forwards every connection through a unix socket to lab, which dials the real service. So
//     REDIS_URL/DATABASE_URL keep the shape go-redis and pgx expect, the same way on both
//     backends.
//   - An unprivileged uid. When lab runs as root the run gets a uid of its own (not 65534 shared
//     by every sandbox), so RLIMIT_NPROC counts only this run's processes.
//   - Limits: memory (the launcher sums the resident memory of every process in the sandbox
//     every 20 ms and kills them all past the limit; RLIMIT_AS = limit + 1.5 GiB per process
//     as the hard backstop, since the Go runtime reserves ~1.2 GB of address space it never
//     uses; the memory cgroup too under Docker), processes and threads (RLIMIT_NPROC; the pids
//     cgroup under Docker), CPU time (RLIMIT_CPU) and wall time (the Deadline). A limit hit
//     comes back as Result.Limit in words.
//   - Every process is gone when Run returns: the launcher is PID 1 of a PID namespace, and the
//     kernel kills the whole namespace when it exits; lab kills the launcher on the deadline.
//   - Code cannot be patched: a seccomp filter refuses PROT_EXEC in mprotect/pkey_mprotect/mmap
//     (no new code), mprotect, mmap(MAP_FIXED) and mremap at addresses below the end of the test
//     binary's image (read from its ELF header: text, rodata and data of a static non-PIE
//     binary), ptrace, process_vm_writev, and the namespace, mount, key and bpf syscalls.
//     Landlock makes every path read-only except /tmp, so /proc/self/mem cannot be opened for
//     writing, while /proc stays readable (client_golang's process collector reads
//     /proc/self/stat). Landlock's signal scope keeps the test from signalling the launcher.
//
// The walls are set by the launcher, which runs inside the sandbox before the test binary: any
// binary that links this package is a launcher (see init in launcher_linux.go: argv[1] ==
// LauncherArg), so lab and the test binaries of lab's own packages need nothing else. The
// launcher stays as PID 1 (a supervisor: it reaps, forwards service ports and watches process
// and memory peaks) and re-executes itself to set the walls and exec the test binary.
//
// Why both backends, and why bwrap first for "auto": the walls come from the launcher either
// way, so the two give the same guarantees; what differs is the cost and where they work.
// Measured on the project machine (2 cores, Docker 20.10 with fuse-overlayfs, cgroup v1): at
// load 3, `docker run` of a trivial static binary took 0.57 s and `docker start -a` of a
// pre-created container 0.7 s (so pre-creating saves nothing), a bare bwrap 10 ms; at load 40
// BenchmarkOverhead gave +355 ms per run for bwrap (seven process starts at ~50 ms each under
// that load) and +4.7 s for docker. Docker stays for machines where bwrap cannot create
// namespaces (unprivileged user namespaces off, Ubuntu's AppArmor restriction) and for an
// instructor who wants the container's cgroups as a second memory and process limit.
//
// bwrap works unprivileged through a user namespace (tested as uid 65534 on this machine); as
// root it makes no user namespace (it would map the run to uid 0 outside, where RLIMIT_NPROC
// does not apply) and the launcher drops to a uid of the run's own instead.
//
// The "none" backend runs the binary directly (lab's local behaviour) and guarantees nothing.
//
// The seccomp filter assumes a static test binary (CGO_ENABLED=0, as the checker compiles
// them): a dynamic loader needs PROT_EXEC mappings and is refused.
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/learnlab/lab/internal/runner"
)

// Default limits.
const (
	DefaultMemory = 2 << 30
	DefaultProcs  = 512
)

// Limits bound one run. Zero fields take the defaults: 2 GiB, 512 processes and threads, CPU
// time = the time left until the deadline (none without one).
type Limits struct {
	Memory int64
	Procs  int
	CPU    time.Duration
}

func (l Limits) withDefaults(d *runner.Deadline) Limits {
	if l.Memory <= 0 {
		l.Memory = DefaultMemory
	}
	if l.Procs <= 0 {
		l.Procs = DefaultProcs
	}
	if l.CPU <= 0 && d != nil {
		l.CPU = time.Until(d.Get())
	}
	return l
}

// Spec describes one sandboxed run.
type Spec struct {
	Binary    string            // host path of the compiled test binary (read-only inside)
	Args      []string          // arguments after the program name
	Dir       string            // the submission; working dir; read-only inside, at the same path
	Env       []string          // env inside; service URLs are rewritten by the backend
	Services  map[string]string // env name -> URL (REDIS_URL, DATABASE_URL): the only endpoints reachable
	Limits    Limits
	Deadline  *runner.Deadline
	MaxOutput int64
	OnLine    func([]byte) // stdout lines
}

// Result is how a run ended.
type Result struct {
	runner.Result
	// Limit is "" or why the sandbox stopped the run, in words a learner understands
	// ("stopped: used more than 2 GiB of memory"). A wall-clock deadline is Result.Killed.
	Limit string
}

// Backend runs a Spec behind walls.
type Backend interface {
	Name() string                        // "docker", "bwrap", "none"
	Available(ctx context.Context) error // fast (<2 s) probe; the error names the fix
	Run(ctx context.Context, s Spec) (*Result, error)
}

// Names lists the backends Select knows, strongest-and-cheapest first ("auto" tries them in
// this order, without "none").
var Names = []string{"bwrap", "docker", "none"}

// ErrNone is returned by Select("auto") when no backend with walls works here.
var ErrNone = errors.New("no sandbox works on this machine")

// Select returns the backend called name, or for "auto" (or "") the first of Names that is
// available here. A named backend that does not work is an error naming the fix.
func Select(ctx context.Context, name string) (Backend, error) {
	switch name {
	case "", "auto":
		var why []string
		for _, n := range Names[:len(Names)-1] {
			b := byName(n)
			err := b.Available(ctx)
			if err == nil {
				return b, nil
			}
			why = append(why, fmt.Sprintf("%s: %v", n, err))
		}
		return nil, fmt.Errorf("%w (%s)", ErrNone, strings.Join(why, "; "))
	case "bwrap", "docker", "none":
		b := byName(name)
		if err := b.Available(ctx); err != nil {
			return nil, fmt.Errorf("sandbox %s: %w", name, err)
		}
		return b, nil
	}
	return nil, fmt.Errorf("unknown sandbox %q: use auto, bwrap, docker or none", name)
}

func byName(name string) Backend {
	switch name {
	case "bwrap":
		return &Bwrap{}
	case "docker":
		return &Docker{}
	}
	return None{}
}

// memoryWords says n bytes the way a learner reads it.
func memoryWords(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

func memoryLimit(l Limits) string {
	return fmt.Sprintf("stopped: used more than %s of memory", memoryWords(l.Memory))
}

func procsLimit(l Limits) string {
	return fmt.Sprintf("stopped: started more than %d processes and threads", l.Procs)
}

func cpuLimit(l Limits) string {
	return fmt.Sprintf("stopped: used more than %s of CPU time", l.CPU.Round(time.Second))
}
