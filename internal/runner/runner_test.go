package runner

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// alive reports whether pid runs (a zombie waiting for its reaper does not count).
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	i := strings.LastIndexByte(string(stat), ')')
	return i < 0 || i+2 >= len(stat) || stat[i+2] != 'Z'
}

// Cancelling kills the whole process group, children included, and returns promptly.
func TestCancelKillsGroup(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var child int
	got := make(chan struct{}, 1)
	go func() { <-got; cancel() }()
	start := time.Now()
	res, err := Run(ctx, Spec{Path: "/bin/sh", Args: []string{"-c", "trap '' TERM; sleep 100 & echo $!; wait"}, OnLine: func(b []byte) {
		child, _ = strconv.Atoi(string(b))
		got <- struct{}{}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Killed != Canceled {
		t.Errorf("killed: %q", res.Killed)
	}
	if el := time.Since(start); el > KillGrace+2*time.Second {
		t.Errorf("took %s", el)
	}
	time.Sleep(100 * time.Millisecond)
	if child == 0 || alive(child) {
		t.Errorf("child %d still alive", child)
	}
}

func TestDeadline(t *testing.T) {
	start := time.Now()
	res, err := Run(context.Background(), Spec{Path: "/bin/sh", Args: []string{"-c", "sleep 100"}, Deadline: NewDeadline(time.Now().Add(300 * time.Millisecond))})
	if err != nil {
		t.Fatal(err)
	}
	if res.Killed != Expired || time.Since(start) > 3*time.Second {
		t.Errorf("killed %q after %s", res.Killed, time.Since(start))
	}
}

func TestFloodIsStopped(t *testing.T) {
	start := time.Now()
	lines := 0
	res, err := Run(context.Background(), Spec{Path: "/bin/sh", Args: []string{"-c", "yes xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}, MaxOutput: 8 << 20, OnLine: func([]byte) { lines++ }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Killed != Flooded || time.Since(start) > 5*time.Second || lines == 0 {
		t.Errorf("killed %q after %s, %d lines", res.Killed, time.Since(start), lines)
	}
}

func TestLongLinesAreCut(t *testing.T) {
	var got []int
	_, err := Run(context.Background(), Spec{Path: "/bin/sh", Args: []string{"-c", "head -c 300000 /dev/zero | tr '\\0' x; echo; echo short"}, MaxLine: 1000, OnLine: func(b []byte) { got = append(got, len(b)) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != 1000 || got[1] != 5 {
		t.Errorf("lines: %v", got)
	}
}

func TestGoMissing(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := Run(context.Background(), Spec{Args: []string{"version"}})
	if err != ErrGoMissing || !strings.Contains(err.Error(), "https://go.dev/dl/") {
		t.Errorf("err: %v", err)
	}
}

// The go command takes $PWD as its working directory when it names the same folder; lab must
// pass the folder it was given, not its own PWD, or a lab folder reached through a symlink is
// seen by its physical path and the -overlay keys miss (issue 13).
func TestPWDIsTheDirGiven(t *testing.T) {
	real := t.TempDir()
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	var got []string
	res, err := Run(context.Background(), Spec{
		Path: "/bin/sh", Args: []string{"-c", `echo "$PWD"`}, Dir: link,
		Env:    Env(os.Environ(), map[string]string{"PWD": "/"}),
		OnLine: func(b []byte) { got = append(got, string(b)) },
	})
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("run: %v %+v", err, res)
	}
	if len(got) != 1 || strings.TrimSpace(got[0]) != link {
		t.Fatalf("PWD in the child = %q, want the symlinked dir %q", got, link)
	}
}
