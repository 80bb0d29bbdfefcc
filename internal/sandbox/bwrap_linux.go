//go:build linux && (amd64 || arm64)

package sandbox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Bwrap runs the test binary with bubblewrap (Debian/Ubuntu package bubblewrap): new PID,
// network, IPC, UTS and cgroup namespaces (and a user namespace when lab is not root), an
// empty root with only the launcher, the binary, the submission (all read-only) and a private
// tmpfs /tmp. Limits are rlimits set by the launcher; bwrap costs about 10 ms a run.
type Bwrap struct {
	once sync.Once
	err  error
	path string
	size bool // bwrap knows --size (0.7+): /tmp gets a size cap
}

// Name implements Backend.
func (*Bwrap) Name() string { return "bwrap" }

// tmpSize caps the private /tmp (it is memory: tmpfs).
const tmpSize = 512 << 20

// Available implements Backend: bwrap is installed and can make the namespaces here (a
// trivial sandbox actually runs), and the kernel has Landlock.
func (b *Bwrap) Available(ctx context.Context) error {
	b.once.Do(func() { b.err = b.probe(ctx) })
	return b.err
}

func (b *Bwrap) probe(ctx context.Context) error {
	p, err := exec.LookPath("bwrap")
	if err != nil {
		return errors.New("bubblewrap is not installed: sudo apt-get install bubblewrap (or dnf install bubblewrap), or start Docker")
	}
	b.path = p
	if landlockABI() < 1 {
		return errors.New("the kernel has no Landlock (needs Linux 5.13+ with landlock in the lsm= boot list); use a newer kernel or the docker sandbox")
	}
	help, _ := exec.CommandContext(ctx, p, "--help").CombinedOutput()
	b.size = strings.Contains(string(help), "--size")
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	args := append(b.namespaceArgs(), "--ro-bind", "/", "/", "true")
	if out, err := exec.CommandContext(ctx, p, args...).CombinedOutput(); err != nil {
		msg := strings.TrimSpace(string(out))
		return fmt.Errorf("bubblewrap cannot create namespaces here (%s): allow unprivileged user namespaces (sudo sysctl -w kernel.unprivileged_userns_clone=1, or on Ubuntu 24.04+ kernel.apparmor_restrict_unprivileged_userns=0), or start Docker", msg)
	}
	return nil
}

func (b *Bwrap) namespaceArgs() []string {
	args := []string{"--die-with-parent", "--new-session", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"}
	if os.Getuid() != 0 {
		// Unprivileged: a user namespace is how bwrap gets the others; no nested ones.
		args = append(args, "--unshare-user", "--disable-userns")
	} else {
		// Root: no user namespace (it would map the run to uid 0 outside, where
		// RLIMIT_NPROC does not apply); the launcher needs these two to drop to its own uid.
		args = append(args, "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID")
	}
	return args
}

// Run implements Backend.
func (b *Bwrap) Run(ctx context.Context, s Spec) (*Result, error) {
	if err := b.Available(ctx); err != nil {
		return nil, err
	}
	lim := s.Limits.withDefaults(s.Deadline)
	ss, err := newSession(s, lim, false)
	if err != nil {
		return nil, err
	}
	defer ss.close()
	args := b.namespaceArgs()
	args = append(args, "--as-pid-1", "--proc", "/proc", "--dev", "/dev", "--perms", "1777")
	if b.size {
		args = append(args, "--size", strconv.Itoa(tmpSize))
	}
	args = append(args, "--tmpfs", inTmp)
	if ss.dyn {
		args = append(args, hostLibArgs("--ro-bind", "--symlink")...)
	}
	// bwrap makes missing parents 0700, which the run's uid could not cross.
	args = append(args, "--perms", "0755", "--dir", inRoot)
	for _, d := range ancestors(s.Dir) {
		args = append(args, "--perms", "0755", "--dir", d)
	}
	args = append(args,
		"--ro-bind", ss.launch, inLauncher,
		"--ro-bind", s.Binary, inTest,
		"--ro-bind", ss.dir, inSock,
		"--ro-bind", s.Dir, s.Dir,
		"--chdir", "/",
		inLauncher, LauncherArg, "supervise")
	return ss.run(ctx, s, lim, b.path, args)
}

// hostLibDirs are what a dynamically linked launcher needs from the host: the loader and libc.
var hostLibDirs = []string{"/usr", "/lib", "/lib64", "/lib32", "/libx32"}

// hostLibArgs returns bwrap arguments that show the host's library folders read-only, keeping
// merged-/usr symlinks (/lib -> usr/lib) as symlinks.
func hostLibArgs(bind, symlink string) []string {
	var args []string
	for _, d := range hostLibDirs {
		fi, err := os.Lstat(d)
		switch {
		case err != nil:
		case fi.Mode()&os.ModeSymlink != 0:
			if t, err := os.Readlink(d); err == nil {
				args = append(args, symlink, t, d)
			}
		case fi.IsDir():
			args = append(args, bind, d, d)
		}
	}
	return args
}

// ancestors returns the folders above dir, outermost first, without "/" and the private tmp.
func ancestors(dir string) []string {
	var out []string
	for d := filepath.Dir(filepath.Clean(dir)); d != "/" && d != "."; d = filepath.Dir(d) {
		if d != inTmp {
			out = append([]string{d}, out...)
		}
	}
	return out
}
