package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/learnlab/lab/internal/checker"
)

// phaseLine shows what a running check is doing (seam 3 of SEAMS.md): on a terminal one line
// rewritten in place with the phase and the seconds so far, elsewhere (CI logs, pipes) a plain
// line per phase. Without it a cold first check looks hung for minutes.
type phaseLine struct {
	w     io.Writer
	tty   bool
	label string // "Checking 05-caching in ./lab-work/05-caching", printed once
	start time.Time
	now   func() time.Time
	width func() int // the terminal's columns (0: unknown)

	mu        sync.Mutex
	phase     string // what the line says after the label
	lastPlain string // the last phase printed on a non-terminal, to print each once
	coldSaid  bool
	done      int // tests finished
	shown     bool
	stop      chan struct{}
	stopped   chan struct{}
}

// newPhaseLine starts the display; Close ends it (and clears the line on a terminal).
func newPhaseLine(w io.Writer, label string) *phaseLine {
	p := &phaseLine{w: w, tty: writerIsTerminal(w), label: label, start: time.Now(), now: time.Now,
		width: func() int { return terminalWidth(w) },
		phase: "starting", stop: make(chan struct{}), stopped: make(chan struct{})}
	fmt.Fprintln(w, label)
	if !p.tty {
		close(p.stopped)
		return p
	}
	p.draw()
	go func() {
		defer close(p.stopped)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.mu.Lock()
				p.draw()
				p.mu.Unlock()
			}
		}
	}()
	return p
}

// Event takes a checker progress event; safe from any goroutine.
func (p *phaseLine) Event(ev checker.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if ev.ColdCache && !p.coldSaid {
		p.coldSaid = true
		p.say("This first check compiles the libraries the lab uses from source, once (a minute or\n" +
			"two); Go caches them, so the next checks take seconds.")
	}
	phase := p.phase
	switch ev.Kind {
	case checker.Services:
		phase = "starting " + orDefault(ev.Detail, "services")
	case checker.Waiting:
		phase = orDefault(ev.Detail, "waiting for the build `lab start` began")
	case checker.Building:
		phase = orDefault(ev.Detail, "compiling your code with the tests")
	case checker.Running:
		phase = "running tests"
	case checker.TestDone:
		p.done++
		phase = fmt.Sprintf("running tests (%d done)", p.done)
	default:
		return
	}
	if phase == p.phase {
		return
	}
	p.phase = phase
	if p.tty {
		p.draw()
		return
	}
	// One line per kind of phase, not per package or test: a log stays short.
	key, _, _ := strings.Cut(phase, " (")
	if key != p.lastPlain {
		p.lastPlain = key
		fmt.Fprintf(p.w, "  %s… (%ds)\n", phase, p.elapsed())
	}
}

// Say prints a message above the phase line; safe from any goroutine.
func (p *phaseLine) Say(msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.say(msg)
}

// say prints a message above the phase line; the caller holds mu.
func (p *phaseLine) say(msg string) {
	if p.tty {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
	fmt.Fprintln(p.w, msg)
	if p.tty {
		p.draw()
	}
}

func (p *phaseLine) elapsed() int { return int(p.now().Sub(p.start).Seconds()) }

// draw rewrites the line; the caller holds mu (or owns p alone).
func (p *phaseLine) draw() {
	// A long phase is cut, never the seconds that show a long first check is not hung.
	phase, tail := []rune(p.phase), fmt.Sprintf(" · %ds", p.elapsed())
	if w := p.cols(); w > 1 {
		if room := w - 1 - 2 - len([]rune(tail)); len(phase) > room {
			phase = append(phase[:max(room-1, 0)], '…')
		}
	}
	line := "  " + string(phase) + tail
	fmt.Fprint(p.w, "\r\x1b[K"+line)
	p.shown = true
}

func (p *phaseLine) cols() int {
	if p.width == nil {
		return 0
	}
	return p.width()
}

// Close stops the ticker and leaves the terminal line empty for the report.
func (p *phaseLine) Close() {
	if p.tty {
		close(p.stop)
	}
	<-p.stopped
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.shown = false
	}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
