//go:build linux && (amd64 || arm64)

package sandbox

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Paths inside the sandbox.
const (
	inRoot     = "/.lab-sandbox"
	inLauncher = inRoot + "/launcher"
	inTest     = inRoot + "/test"
	inSock     = inRoot + "/sock"
	ctlName    = "ctl.sock"
	inTmp      = "/tmp"
)

func init() {
	// Any binary linking this package is a launcher: lab itself, and the test binaries of
	// lab's packages, so their tests run the real thing without building a helper.
	if len(os.Args) > 2 && os.Args[1] == LauncherArg {
		switch os.Args[2] {
		case "supervise":
			os.Exit(supervise())
		case "exec":
			os.Exit(execStage())
		}
	}
}

// LauncherArg is argv[1] of a launcher run.
const LauncherArg = "__lab-sandbox"

// config is what lab tells the launcher, over the control socket (never argv: other users can
// read a command line, and the environment holds service credentials).
type config struct {
	Bin    string            // the test binary inside
	Args   []string          // its argv, argv[0] included
	Dir    string            // working directory
	Env    []string          // its whole environment
	Ports  map[string]string // "127.0.0.1:PORT" to listen on -> unix socket to forward to
	UID    int               // > 0: switch to this uid and gid (the launcher starts as root)
	Memory int64             // resident memory of all processes together, watched by the launcher
	AS     int64             // RLIMIT_AS of each process
	Procs  int               // RLIMIT_NPROC
	CPU    int64             // RLIMIT_CPU, seconds; 0: none
	End    uint64            // first address past the test binary's image
}

// status is what the launcher tells lab when the test binary has ended.
type status struct {
	Exit      int    // exit code, -1 when killed by a signal
	Signal    int    // the signal that killed it
	PeakTasks int    // most processes and threads seen at once
	PeakRSS   int64  // most resident memory seen at once, bytes
	MemKilled bool   // the launcher stopped the run: together over the memory limit
	OOMKills  int    // memory cgroup kills (Docker)
	PidsMax   int    // forks refused by the pids cgroup (Docker)
	PidsPeak  int    // most tasks the pids cgroup counted (Docker): polling can miss a peak
	Err       string // the walls could not be set: the test binary never ran
}

func fail(format string, a ...any) int {
	fmt.Fprintf(os.Stderr, "lab sandbox: "+format+"\n", a...)
	return 125
}

// supervise is the launcher's first stage, PID 1 of the sandbox: it fetches the config, opens
// the service ports, starts the second stage, reaps every process, watches peaks, and reports.
// When lab goes away (the control socket closes) or asks it to stop (SIGTERM, forwarded by
// docker), everything in the sandbox is killed.
func supervise() int {
	conn, err := net.Dial("unix", filepath.Join(inSock, ctlName))
	if err != nil {
		return fail("reach lab: %v", err)
	}
	r := bufio.NewReader(conn)
	line, err := r.ReadBytes('\n')
	if err != nil {
		return fail("read the run's config: %v", err)
	}
	var cfg config
	if err := json.Unmarshal(line, &cfg); err != nil {
		return fail("read the run's config: %v", err)
	}
	_ = unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
	for addr, sock := range cfg.Ports {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return fail("open service port %s: %v", addr, err)
		}
		go forward(ln, sock)
	}

	// The second stage gets the config on fd 3 and reports a failure to set the walls on fd 4
	// (close-on-exec: a successful exec closes it with nothing written).
	cfgR, cfgW, err := os.Pipe()
	if err != nil {
		return fail("%v", err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		return fail("%v", err)
	}
	go func() { cfgW.Write(line); cfgW.Close() }()
	self, _ := os.Executable()
	pid, err := syscall.ForkExec(self, []string{self, LauncherArg, "exec"}, &syscall.ProcAttr{
		Env:   []string{},
		Files: []uintptr{0, 1, 2, cfgR.Fd(), errW.Fd()},
	})
	cfgR.Close()
	errW.Close()
	if err != nil {
		return fail("start the test binary: %v", err)
	}

	var mu sync.Mutex
	var st status
	stopWatch := make(chan struct{})
	go watch(&mu, &st, cfg.Memory, stopWatch)
	var once sync.Once
	// finish kills everything left in the sandbox, then reports (peaks included, so a run
	// stopped at its deadline can still be named a fork bomb) and exits.
	finish := func(ws *syscall.WaitStatus) {
		once.Do(func() {
			_ = syscall.Kill(-1, syscall.SIGKILL)
			mu.Lock()
			st.Exit = -1
			if ws != nil {
				st.Exit = ws.ExitStatus()
				if ws.Signaled() {
					st.Exit, st.Signal = -1, int(ws.Signal())
				}
			}
			st.OOMKills = cgroupCount([]string{"/sys/fs/cgroup/memory/memory.oom_control", "/sys/fs/cgroup/memory.events"}, "oom_kill")
			st.PidsMax = cgroupCount([]string{"/sys/fs/cgroup/pids/pids.events", "/sys/fs/cgroup/pids.events"}, "max")
			st.PidsPeak = cgroupValue("/sys/fs/cgroup/pids/pids.peak", "/sys/fs/cgroup/pids.peak")
			out, _ := json.Marshal(st)
			mu.Unlock()
			conn.Write(append(out, '\n'))
			conn.Close()
			code := 137
			switch {
			case ws == nil:
			case st.Signal != 0:
				code = 128 + st.Signal
			default:
				code = st.Exit
			}
			os.Exit(code)
		})
	}
	go func() { // lab went away, or asked to stop: nothing in the sandbox outlives it
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
		eof := make(chan struct{})
		go func() { io.Copy(io.Discard, r); close(eof) }()
		select {
		case <-sig:
		case <-eof:
		}
		finish(nil)
	}()

	setupErr, _ := io.ReadAll(errR)
	if len(setupErr) > 0 {
		mu.Lock()
		st.Err = string(setupErr)
		mu.Unlock()
	}
	var ws syscall.WaitStatus
	for {
		wpid, err := syscall.Wait4(-1, &ws, 0, nil)
		if err == syscall.EINTR {
			continue
		}
		if err != nil || wpid == pid {
			break
		}
	}
	close(stopWatch)
	finish(&ws)
	return 0 // not reached: finish exits
}

// forward accepts TCP connections inside the sandbox and pipes each to the unix socket lab
// serves for that service.
func forward(ln net.Listener, sock string) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			u, err := net.Dial("unix", sock)
			if err != nil {
				c.Close()
				return
			}
			pipe(c, u)
		}()
	}
}

// pipe copies both ways until both directions are done, passing half-closes on.
func pipe(a, b net.Conn) {
	var wg sync.WaitGroup
	wg.Add(2)
	cp := func(dst, src net.Conn) {
		defer wg.Done()
		io.Copy(dst, src)
		if cw, ok := dst.(interface{ CloseWrite() error }); ok {
			cw.CloseWrite()
		} else {
			dst.Close()
		}
	}
	go cp(a, b)
	go cp(b, a)
	wg.Wait()
	a.Close()
	b.Close()
}

// watch samples /proc (the sandbox's own: a PID namespace) for the peaks of processes and
// threads (what RLIMIT_NPROC and the pids cgroup count) and of resident memory, so a limit
// hit can be named even when the kernel only says "killed" or "resource unavailable". It is
// also the memory limit where no cgroup is: when all processes together hold more than
// memLimit, everything is killed. RLIMIT_AS alone cannot be that limit: it counts address
// space, and the Go runtime reserves about 1.2 GB of it at start without using it.
func watch(mu *sync.Mutex, st *status, memLimit int64, stop <-chan struct{}) {
	self := os.Getpid()
	page := int64(os.Getpagesize())
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	buf := make([]byte, 1024)
	for {
		tasks, rss := 0, int64(0)
		d, err := os.Open("/proc")
		if err == nil {
			names, _ := d.Readdirnames(-1)
			d.Close()
			for _, n := range names {
				pid, err := strconv.Atoi(n)
				if err != nil || pid == self {
					continue
				}
				th, r := procStat(pid, buf)
				tasks += th
				rss += r * page
			}
		}
		mu.Lock()
		st.PeakTasks = max(st.PeakTasks, tasks)
		st.PeakRSS = max(st.PeakRSS, rss)
		if memLimit > 0 && rss > memLimit && !st.MemKilled {
			st.MemKilled = true
			_ = syscall.Kill(-1, syscall.SIGKILL)
		}
		mu.Unlock()
		select {
		case <-stop:
			return
		case <-t.C:
		}
	}
}

// procStat returns num_threads and rss (pages) from /proc/PID/stat.
func procStat(pid int, buf []byte) (int, int64) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0
	}
	n, _ := f.Read(buf)
	f.Close()
	s := string(buf[:n])
	// The command name may hold spaces and parentheses: fields start after the last ')'.
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, 0
	}
	f2 := strings.Fields(s[i+1:])
	// f2[0] is field 3 (state): num_threads is field 20, rss field 24.
	if len(f2) < 22 {
		return 0, 0
	}
	th, _ := strconv.Atoi(f2[17])
	rss, _ := strconv.ParseInt(f2[21], 10, 64)
	return th, rss
}

// cgroupCount reads "key N" from the first of files that exists.
func cgroupCount(files []string, key string) int {
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, l := range strings.Split(string(b), "\n") {
			k, v, ok := strings.Cut(l, " ")
			if ok && k == key {
				n, _ := strconv.Atoi(strings.TrimSpace(v))
				return n
			}
		}
		return 0
	}
	return 0
}

// cgroupValue reads the number in the first of files that exists.
func cgroupValue(files ...string) int {
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil {
			n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
			return n
		}
	}
	return 0
}

// execStage is the launcher's second stage: it sets the walls on itself and becomes the test
// binary. Order matters: the uid drop needs its capabilities, landlock and seccomp need
// no_new_privs, and the filter comes last since it refuses some of what comes before.
func execStage() int {
	cfgF, errF := os.NewFile(3, "config"), os.NewFile(4, "errors")
	report := func(format string, a ...any) int {
		fmt.Fprintf(errF, format, a...)
		return 125
	}
	var cfg config
	if err := json.NewDecoder(cfgF).Decode(&cfg); err != nil {
		return report("read the run's config: %v", err)
	}
	cfgF.Close()
	syscall.CloseOnExec(4)
	runtime.LockOSThread()

	if err := os.Chdir(cfg.Dir); err != nil {
		return report("enter the submission: %v", err)
	}
	// Where the kernel's OOM killer enforces the memory limit (Docker's cgroup), it must pick
	// the test binary and its children, never the first stage, which reports what happened.
	// Raising one's own score needs no privilege; best effort.
	_ = os.WriteFile("/proc/self/oom_score_adj", []byte("1000"), 0)
	if cfg.UID > 0 && os.Getuid() == 0 {
		if err := syscall.Setgroups(nil); err != nil {
			return report("drop groups: %v", err)
		}
		if err := syscall.Setgid(cfg.UID); err != nil {
			return report("switch to gid %d: %v", cfg.UID, err)
		}
		if err := syscall.Setuid(cfg.UID); err != nil {
			return report("switch to uid %d: %v", cfg.UID, err)
		}
	}
	if os.Getuid() == 0 {
		return report("still root after dropping privileges")
	}
	limits := []struct {
		res int
		v   uint64
	}{
		{unix.RLIMIT_AS, uint64(cfg.AS)},
		{unix.RLIMIT_NPROC, uint64(cfg.Procs)},
		{unix.RLIMIT_CORE, 0},
	}
	if cfg.CPU > 0 {
		limits = append(limits, struct {
			res int
			v   uint64
		}{unix.RLIMIT_CPU, uint64(cfg.CPU)})
	}
	for _, l := range limits {
		if err := unix.Setrlimit(l.res, &unix.Rlimit{Cur: l.v, Max: l.v}); err != nil {
			return report("set limit %d: %v", l.res, err)
		}
	}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return report("set no_new_privs: %v", err)
	}
	if err := restrictFS([]string{inTmp}, []string{"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom"}); err != nil {
		return report("%v", err)
	}
	if err := installSeccomp(cfg.End); err != nil {
		return report("%v", err)
	}
	err := syscall.Exec(cfg.Bin, cfg.Args, cfg.Env)
	return report("start the test binary: %v", err)
}
