package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/learnlab/lab/internal/checker"
)

// A check's phases as the checker streams them: one line per phase (not per package or test)
// in a log, and the cold-cache reason once.
func TestPhaseLinesWhenNotATerminal(t *testing.T) {
	var buf bytes.Buffer
	pl := newPhaseLine(&buf, "Checking 05-caching in ./lab-work/05-caching")
	clock := pl.start
	pl.now = func() time.Time { return clock }
	for _, ev := range []checker.Event{
		{Kind: checker.Services, Detail: "Redis"},
		{Kind: checker.Building, Detail: "building dependencies (github.com/redis/go-redis/v9)", ColdCache: true},
		{Kind: checker.Building, Detail: "building dependencies (golang.org/x/sync)", ColdCache: true},
		{Kind: checker.Building, Detail: "compiling your code"},
		{Kind: checker.Running},
		{Kind: checker.TestStarted, Test: "TestA"},
		{Kind: checker.TestDone, Test: "TestA"},
		{Kind: checker.TestDone, Test: "TestB"},
	} {
		clock = clock.Add(2 * time.Second)
		pl.Event(ev)
	}
	pl.Close()
	want := `Checking 05-caching in ./lab-work/05-caching
  starting Redis… (2s)
This first check compiles the libraries the lab uses from source, once (a minute or
two); Go caches them, so the next checks take seconds.
  building dependencies (github.com/redis/go-redis/v9)… (4s)
  compiling your code… (8s)
  running tests… (10s)
`
	if got := buf.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// On a terminal the phase line is rewritten in place and cleared before the report.
func TestPhaseLineOnATerminal(t *testing.T) {
	var buf bytes.Buffer
	pl := &phaseLine{w: &buf, tty: true, label: "Checking 05-caching", start: time.Now(), now: time.Now,
		phase: "starting", stop: make(chan struct{}), stopped: make(chan struct{})}
	close(pl.stopped)
	pl.Event(checker.Event{Kind: checker.Building, Detail: "compiling your code"})
	pl.Event(checker.Event{Kind: checker.Building, Detail: "compiling your code", ColdCache: true})
	pl.Event(checker.Event{Kind: checker.Running})
	pl.tty = false // Close must not close stop twice in this hand-made one
	pl.Close()
	out := buf.String()
	for _, want := range []string{"\r\x1b[K  compiling your code · 0s", "\r\x1b[K  running tests · 0s", "first check compiles"} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%q", want, out)
		}
	}
	if strings.Count(out, "first check compiles") != 1 {
		t.Errorf("cold cache explained more than once:\n%q", out)
	}
}

// At 80 columns a long phase is cut, never the seconds.
func TestPhaseLineKeepsTheSeconds(t *testing.T) {
	var buf bytes.Buffer
	pl := &phaseLine{w: &buf, tty: true, label: "Checking 05-caching", start: time.Now(), now: time.Now,
		width: func() int { return 80 }, phase: "starting", stop: make(chan struct{}), stopped: make(chan struct{})}
	close(pl.stopped)
	pl.Event(checker.Event{Kind: checker.Waiting, Detail: "the build `lab start` began in the background: this check uses it instead of compiling the same code twice"})
	last := buf.String()[strings.LastIndex(buf.String(), "\r\x1b[K")+len("\r\x1b[K"):]
	if !strings.HasSuffix(last, "… · 0s") || len([]rune(last)) >= 80 {
		t.Errorf("phase line at 80 columns = %q (%d runes): want the phase cut and the seconds kept", last, len([]rune(last)))
	}
}
