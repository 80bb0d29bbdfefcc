package tui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/learnlab/lab/internal/checker"
	"github.com/learnlab/lab/internal/course"
	"github.com/learnlab/lab/internal/workspace"
)

func fixtureCourse(t testing.TB) *course.Course {
	t.Helper()
	c, err := course.Load(os.DirFS("testdata/course"), "")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// newWorkspace makes a workspace with the given labs started.
func newWorkspace(t testing.TB, c *course.Course, labs ...string) *workspace.Workspace {
	t.Helper()
	ws := &workspace.Workspace{Dir: t.TempDir()}
	if err := os.MkdirAll(filepath.Join(ws.Dir, ".lab"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, id := range labs {
		l, err := c.Resolve(id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ws.Start(c, l); err != nil {
			t.Fatal(err)
		}
	}
	return ws
}

// solve copies a lab's solution over the learner's copy.
func solve(t testing.TB, c *course.Course, ws *workspace.Workspace, id string) {
	t.Helper()
	l, _ := c.Resolve(id)
	files, _ := c.Files(l, "solution")
	for _, f := range files {
		data, _ := c.ReadFile(l, "solution", f)
		if err := os.WriteFile(filepath.Join(ws.LabDir(l.ID), f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// fakeChecker grades by looking at the learner's main.go: a task passes when the expected
// format string is in it. It streams events like the real checker, slowly enough to see.
type fakeChecker struct {
	calls atomic.Int32
	delay time.Duration
	block chan struct{} // when set, the run waits for it or for ctx
}

var fakeWant = map[string]string{"greet": `"Hello, %s!"`, "farewell": `"Bye, %s."`, "shout": `ToUpper`}

func (f *fakeChecker) check(ctx context.Context, req CheckRequest) (*checker.Report, error) {
	f.calls.Add(1)
	emit := func(ev checker.Event) {
		if req.Progress != nil {
			req.Progress(ev)
		}
	}
	emit(checker.Event{Kind: checker.Building})
	if f.block != nil {
		select {
		case <-f.block:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	src, err := os.ReadFile(filepath.Join(req.Dir, "main.go"))
	if err != nil {
		return nil, err
	}
	rep := &checker.Report{Lab: req.Lab.ID, Title: req.Lab.Title, Status: checker.Pass}
	emit(checker.Event{Kind: checker.Running})
	for _, t := range req.Lab.Tasks {
		tr := checker.TaskResult{ID: t.ID, Title: t.Title, Status: checker.Pass}
		for _, name := range t.Tests {
			emit(checker.Event{Kind: checker.TestStarted, Test: name, TaskID: t.ID})
			select {
			case <-time.After(f.delay):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			res := checker.TestResult{Name: name, TaskID: t.ID, Status: checker.Pass, Elapsed: f.delay}
			if !strings.Contains(string(src), fakeWant[t.ID]) {
				res.Status = checker.Fail
				res.Message = "main_test.go:12: " + t.ID + `("Ada") = "", want something else`
				res.Output = "learner log line\n"
				tr.Status, tr.Message = checker.Fail, res.Message
				rep.Status = checker.Fail
			}
			emit(checker.Event{Kind: checker.TestDone, Test: name, TaskID: t.ID, Status: res.Status})
			tr.Tests = append(tr.Tests, res)
		}
		emit(checker.Event{Kind: checker.TaskDone, TaskID: t.ID, Status: tr.Status})
		rep.Tasks = append(rep.Tasks, tr)
	}
	return rep, nil
}

// plain renders the model's view without styles.
func plain(m *Model) string { return ansi.Strip(m.View().Content) }

func press(s string) tea.KeyPressMsg {
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

// drive runs a command and feeds its messages back until none are left or limit runs out
// (batches are flattened; ticks are skipped).
func drive(t testing.TB, m *Model, cmd tea.Cmd, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 && time.Now().Before(deadline) {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		msg := c()
		switch msg := msg.(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case tea.QuitMsg:
			return
		default:
			if isTick(msg) {
				continue
			}
			_, next := m.Update(msg)
			queue = append(queue, next)
		}
	}
}

func isTick(msg tea.Msg) bool {
	switch msg.(type) {
	case renderReqMsg, forceQuitMsg:
		return true
	}
	return strings.Contains(strings.ToLower(typeName(msg)), "tick")
}

type workspaceT = workspace.Workspace

func typeName(v any) string { return fmt.Sprintf("%T", v) }
