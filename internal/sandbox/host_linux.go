//go:build linux && (amd64 || arm64)

package sandbox

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/learnlab/lab/internal/runner"
)

// session is lab's side of one sandboxed run: a private folder of unix sockets (bound
// read-only into the sandbox at inSock), a proxy per service, and the control socket the
// launcher fetches its config from and reports on.
type session struct {
	dir    string
	lns    []net.Listener
	cfg    config
	status chan *status
	conns  sync.WaitGroup
	uid    int
	launch string // the launcher's host path
	dyn    bool   // the launcher needs the host's /usr and /lib
	// reported is set once the launcher's report has arrived.
	reported bool
	// oomIs137: exit code 137 with no report means the cgroup's OOM killer ended the run
	// (Docker, where SIGKILL from outside the container reaches only through its cgroup).
	oomIs137 bool
}

// launcherPath is the binary bound into the sandbox as the launcher: the running one (any
// binary linking this package is a launcher).
func launcherPath() (string, error) {
	p, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("find lab's own binary for the sandbox launcher: %w", err)
	}
	return filepath.EvalSymlinks(p)
}

// sandboxUID picks the uid a run gets when lab is root: one of its own, so that RLIMIT_NPROC
// (counted per uid) and signals cannot cross between runs that happen at the same time.
func sandboxUID() int {
	if os.Getuid() != 0 {
		return 0
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	return 200000 + int(binary.LittleEndian.Uint32(b[:])%100000)
}

// asReserve is added to RLIMIT_AS for the address space a Go program reserves without using
// (1.2 GB measured with Go 1.26 on amd64); the launcher limits resident memory itself.
const asReserve = 1536 << 20

// newSession prepares a run. With startsAsUID the backend starts the launcher as ss.uid itself
// (docker --user), so the launcher has nothing to drop.
func newSession(s Spec, lim Limits, startsAsUID bool) (*session, error) {
	if s.Binary == "" || s.Dir == "" {
		return nil, errors.New("sandbox: Spec.Binary and Spec.Dir are required")
	}
	end, err := imageEnd(s.Binary)
	if err != nil {
		return nil, err
	}
	launch, err := launcherPath()
	if err != nil {
		return nil, err
	}
	sweepSessionDirs()
	dir, err := os.MkdirTemp("", sessionDirPrefix+strconv.Itoa(os.Getpid())+"-")
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	ss := &session{dir: dir, status: make(chan *status, 1), uid: sandboxUID(), launch: launch, dyn: isDynamic(launch)}
	// The sandbox's uid must reach the sockets; others can only use a name they know.
	if err := os.Chmod(dir, 0o711); err != nil {
		ss.close()
		return nil, err
	}
	env := runner.Env(s.Env, map[string]string{"HOME": inTmp, "TMPDIR": inTmp}, "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "GOCACHE")
	ss.cfg = config{
		Bin: inTest, Args: append([]string{inTest}, s.Args...), Dir: s.Dir,
		Ports: map[string]string{}, UID: ss.uid,
		Memory: lim.Memory, AS: lim.Memory + asReserve, Procs: lim.Procs, End: end,
	}
	if startsAsUID {
		ss.cfg.UID = 0
	}
	if lim.CPU > 0 {
		ss.cfg.CPU = int64((lim.CPU + time.Second - 1) / time.Second)
	}
	set := map[string]string{}
	used := map[int]bool{}
	for i, name := range slices.Sorted(maps.Keys(s.Services)) {
		inURL, inPort, target, err := rewriteService(s.Services[name], used)
		if err != nil {
			ss.close()
			return nil, fmt.Errorf("sandbox: service %s: %w", name, err)
		}
		sock := filepath.Join(dir, "svc-"+strconv.Itoa(i)+".sock")
		ln, err := listenUnix(sock)
		if err != nil {
			ss.close()
			return nil, err
		}
		ss.lns = append(ss.lns, ln)
		go ss.proxy(ln, target)
		ss.cfg.Ports["127.0.0.1:"+strconv.Itoa(inPort)] = filepath.Join(inSock, filepath.Base(sock))
		set[name] = inURL
	}
	ss.cfg.Env = runner.Env(env, set)
	ctl, err := listenUnix(filepath.Join(dir, ctlName))
	if err != nil {
		ss.close()
		return nil, err
	}
	ss.lns = append(ss.lns, ctl)
	go ss.control(ctl)
	return ss, nil
}

func listenUnix(path string) (net.Listener, error) {
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	if err := os.Chmod(path, 0o666); err != nil {
		ln.Close()
		return nil, err
	}
	return ln, nil
}

// control serves the one launcher of this run: the first connection gets the config and is
// the only one heard. It is accepted before the test binary starts, so test code cannot take
// its place.
func (ss *session) control(ln net.Listener) {
	c, err := ln.Accept()
	ln.Close()
	if err != nil {
		ss.status <- nil
		return
	}
	ss.conns.Add(1)
	defer ss.conns.Done()
	b, _ := json.Marshal(ss.cfg)
	if _, err := c.Write(append(b, '\n')); err != nil {
		c.Close()
		ss.status <- nil
		return
	}
	line, err := bufio.NewReader(c).ReadBytes('\n')
	c.Close()
	var st status
	if err != nil || json.Unmarshal(line, &st) != nil {
		ss.status <- nil
		return
	}
	ss.status <- &st
}

// proxy carries each connection from the sandbox to the real service.
func (ss *session) proxy(ln net.Listener, target string) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		ss.conns.Add(1)
		go func() {
			defer ss.conns.Done()
			t, err := net.DialTimeout("tcp", target, 5*time.Second)
			if err != nil {
				c.Close()
				return
			}
			pipe(c, t)
		}()
	}
}

// result waits briefly for the launcher's report: it is written before the launcher exits, so
// it is there when the run has ended by itself.
func (ss *session) result() *status {
	select {
	case st := <-ss.status:
		return st
	case <-time.After(500 * time.Millisecond):
		return nil
	}
}

func (ss *session) close() {
	for _, ln := range ss.lns {
		ln.Close()
	}
	os.RemoveAll(ss.dir)
}

// rewriteService returns the URL the sandbox sees (127.0.0.1 and a port not yet in used), that
// port, and the real host:port lab dials.
func rewriteService(raw string, used map[int]bool) (string, int, string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", 0, "", fmt.Errorf("cannot read %q as a URL with a host", raw)
	}
	port, _ := strconv.Atoi(u.Port())
	if port == 0 {
		switch u.Scheme {
		case "redis", "rediss":
			port = 6379
		case "postgres", "postgresql":
			port = 5432
		default:
			return "", 0, "", fmt.Errorf("%q has no port", raw)
		}
	}
	target := net.JoinHostPort(u.Hostname(), strconv.Itoa(port))
	for used[port] {
		port++
	}
	used[port] = true
	u.Host = "127.0.0.1:" + strconv.Itoa(port)
	return u.String(), port, target, nil
}

// run executes the sandbox command (bwrap or docker, whose last arguments start the
// launcher) and turns what the launcher reports into a Result.
func (ss *session) run(ctx context.Context, s Spec, lim Limits, path string, args []string) (*Result, error) {
	// A refused fork shows in the test's own output (stdout, test2json), not on stderr.
	var forkRefused atomic.Bool
	onLine := func(l []byte) {
		if bytes.Contains(l, []byte("resource temporarily unavailable")) {
			forkRefused.Store(true)
		}
		if s.OnLine != nil {
			s.OnLine(l)
		}
	}
	res, err := runner.Run(ctx, runner.Spec{
		Path: path, Args: args, Dir: os.TempDir(),
		// Nothing of lab's environment reaches the sandbox: the test's comes in the config.
		Env:      []string{"PATH=/usr/local/bin:/usr/bin:/bin"},
		Deadline: s.Deadline, MaxOutput: s.MaxOutput, OnLine: onLine,
	})
	if res == nil {
		return nil, err
	}
	out := &Result{Result: *res}
	st := ss.result()
	ss.reported = st != nil
	switch {
	case st != nil && st.Err != "":
		return out, fmt.Errorf("sandbox: %s", st.Err)
	case st != nil:
		out.ExitCode = st.Exit
	case res.Killed == "" && err == nil && ss.oomIs137 && res.ExitCode == 137:
		// Docker's cgroup OOM killer took the whole container, the first stage with it,
		// before it could report: the memory limit, not a sandbox that did not start.
		out.ExitCode = res.ExitCode
		out.Limit = memoryLimit(lim)
		return out, err
	case res.Killed == "" && err == nil:
		// The launcher never reported: the sandbox itself did not start.
		msg := strings.TrimSpace(res.Stderr)
		if msg == "" {
			msg = fmt.Sprintf("exit code %d", res.ExitCode)
		}
		return out, fmt.Errorf("sandbox %s did not start: %s", filepath.Base(path), msg)
	}
	out.Limit = limitHit(st, &out.Result, lim)
	if out.Limit == "" && forkRefused.Load() && out.ExitCode != 0 {
		out.Limit = procsLimit(lim)
	}
	return out, err
}

// limitHit names the limit a run ran into, from the launcher's report and the test binary's
// last words. Learner code can print those words too; it only gets itself a failing check.
func limitHit(st *status, res *runner.Result, lim Limits) string {
	if res.Killed != "" && res.Killed != runner.Expired {
		return "" // Ctrl-C or an output flood: they say so themselves
	}
	if st != nil {
		switch {
		case st.OOMKills > 0, st.MemKilled:
			return memoryLimit(lim)
		case st.PidsMax > 0, st.PeakTasks >= lim.Procs*9/10, st.PidsPeak >= lim.Procs*9/10:
			return procsLimit(lim)
		case res.Killed != "":
			return "" // the deadline: Result.Killed says it
		case st.Signal == int(syscall.SIGXCPU):
			return cpuLimit(lim)
		case st.Signal == int(syscall.SIGKILL) && st.PeakRSS >= lim.Memory*8/10:
			return memoryLimit(lim)
		}
	}
	if res.Killed != "" {
		return ""
	}
	switch e := res.Stderr; {
	case strings.Contains(e, "out of memory"), strings.Contains(e, "cannot allocate memory"):
		return memoryLimit(lim)
	case strings.Contains(e, "failed to create new OS thread"), strings.Contains(e, "fork/exec") && strings.Contains(e, "resource temporarily unavailable"):
		return procsLimit(lim)
	}
	return ""
}

// sessionDirPrefix names a run's socket folder: lab-sandbox-<pid>-<random>, so that a later run
// can tell the folders of a lab that was killed (kill -9, a closed terminal) and remove them.
const sessionDirPrefix = "lab-sandbox-"

// sweepSessionDirs removes the socket folders of lab processes that no longer run.
func sweepSessionDirs() { runner.SweepTempDirs(sessionDirPrefix) }
