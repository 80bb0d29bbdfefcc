// Package tui is lab's terminal app: the lessons, the lesson text beside its tasks, checks with
// live progress, results, hints and watch mode. Every I/O runs in a tea.Cmd.
package tui

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/learnlab/lab/internal/checker"
	"github.com/learnlab/lab/internal/course"
	"github.com/learnlab/lab/internal/watch"
	"github.com/learnlab/lab/internal/workspace"
)

// Checker grades a learner's lab folder, streaming progress. Cancelling ctx must stop the run
// promptly and leave nothing running. The app calls it from a tea.Cmd.
type Checker func(ctx context.Context, req CheckRequest) (*checker.Report, error)

// CheckRequest is one check.
type CheckRequest struct {
	Lab          *course.Lab
	Dir          string          // the learner's lab folder
	PassedBefore map[string]bool // tasks that passed at least once
	Progress     func(checker.Event)
}

// RealChecker is the checker `lab check` uses.
func RealChecker(c *course.Course, svc checker.Acquirer) Checker {
	return func(ctx context.Context, req CheckRequest) (*checker.Report, error) {
		return checker.Run(ctx, checker.Options{
			Course: c, Lab: req.Lab, Dir: req.Dir, Services: svc,
			Progress: req.Progress, PassedBefore: req.PassedBefore,
		})
	}
}

// Options configure the app.
type Options struct {
	Course *course.Course
	// Workspace finds the learner's workspace; with create it makes one (for the start key).
	// It runs inside a tea.Cmd.
	Workspace func(create bool) (*workspace.Workspace, error)
	Check     Checker
	Lab       *course.Lab // open this lesson first (`lab start 5`); nil opens the home screen
	// Dir is the folder lab was started in. Inside a lab's folder that lab is the one to
	// continue, as `lab check` with no argument checks it.
	Dir    string
	Editor string // $VISUAL or $EDITOR, for the "open in your editor" hint
	Theme  string // "dark" or "light" forces the palette; "" asks the terminal
	// GlamourStyle is $GLAMOUR_STYLE when it names a style other than dark or light (those set
	// Theme): a glamour style name ("dracula", "notty") or a JSON style file, for lessons.
	GlamourStyle string
	Watch        watch.Options
	Now          func() time.Time
	// Out, when set, gets a few lines after the app ends: where the code of the last lesson
	// shown is and how to check it, so they stay on the learner's screen (the app's own
	// screen is gone with the alt screen).
	Out io.Writer
}

// startTime is when the process started, near enough: first-frame timing is measured from it.
var startTime = time.Now()

// Run runs the app on the terminal until the learner quits. Cancelling ctx ends it (and any
// check it runs). An error is returned once the terminal is restored (alt screen left), so the
// caller's message about it stays on the learner's screen.
func Run(ctx context.Context, opts Options, progOpts ...tea.ProgramOption) error {
	m := New(opts)
	p := tea.NewProgram(m, append([]tea.ProgramOption{tea.WithContext(ctx)}, progOpts...)...)
	final, err := p.Run()
	if fm, ok := final.(*Model); ok {
		m = fm
	}
	m.shutdown()
	if cmd := m.remember(); cmd != nil {
		cmd() // the reading position, before the process ends
	}
	if err != nil && ctx.Err() != nil {
		err = nil // interrupted from outside: not an error of the app
	}
	if trace := os.Getenv("LAB_TUI_TRACE"); trace != "" {
		// For scripts/tui-smoke.sh: how long after start the first frame was drawn, and how
		// the app ended.
		end := "quit"
		if err != nil {
			end = "error: " + err.Error()
		}
		_ = os.WriteFile(trace, []byte(fmt.Sprintf("first-frame %v\nexit %s\n", m.firstFrame, end)), 0o644)
	}
	if err == nil && opts.Out != nil {
		fmt.Fprint(opts.Out, m.farewell())
	}
	if err != nil {
		if m.firstFrame == 0 {
			return fmt.Errorf("the workbench could not start (lab list, lab check and lab hint work without it): %w", err)
		}
		return fmt.Errorf("the workbench stopped: %w", err)
	}
	return nil
}

func editorFromEnv() string {
	if v := os.Getenv("VISUAL"); v != "" {
		return v
	}
	return os.Getenv("EDITOR")
}

// farewell is what stays on the screen after quitting: where the code of the lesson last shown
// is and the commands to check it, as `lab start` prints without a terminal. "" when that lab
// is not started.
func (m *Model) farewell() string {
	l := m.lesson.lab
	if l == nil || m.ws == nil || !m.started[l.ID] {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Your code:   %s\n", m.showPath(m.ws.LabDir(l.ID)))
	fmt.Fprintf(&b, "Check it:    lab check %d   (or c in the workbench: lab)\n", l.Number)
	fmt.Fprintf(&b, "Stuck?       lab hint %d\n", l.Number)
	return b.String()
}

// showPath shortens a path for the screen: relative to the folder lab was started in when that
// is shorter ("./lab-work/05-caching"), else as it is.
func (m *Model) showPath(p string) string {
	if m.opts.Dir == "" {
		return p
	}
	r, err := filepath.Rel(m.opts.Dir, p)
	if err != nil || filepath.IsAbs(r) || len(r) >= len(p) {
		return p
	}
	if r == "." || strings.HasPrefix(r, "..") {
		return r
	}
	return "./" + r
}
