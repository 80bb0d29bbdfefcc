package tui

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/learnlab/lab/internal/checker"
	"github.com/learnlab/lab/internal/workspace"
)

func opts(t testing.TB, ws *workspace.Workspace, f *fakeChecker) Options {
	o := Options{
		Course: fixtureCourse(t),
		Check:  f.check,
		Theme:  "dark",
		Editor: "vim",
	}
	if ws != nil {
		o.Workspace = func(bool) (*workspace.Workspace, error) { return ws, nil }
	}
	return o
}

// term reads a teatest program's output. Each wait looks at everything drawn since the last
// key sent, so several waits can match the same frame.
type term struct {
	t   *testing.T
	tm  *teatest.TestModel
	buf strings.Builder
}

func (x *term) send(keys ...string) {
	x.buf.Reset()
	for _, k := range keys {
		x.tm.Send(press(k))
	}
}

func (x *term) wait(want ...string) {
	x.t.Helper()
	// The renderer moves the cursor over unchanged cells instead of writing spaces: compare
	// without them.
	squash := func(s string) string { return strings.Join(strings.Fields(s), "") }
	teatest.WaitFor(x.t, io.TeeReader(x.tm.Output(), &x.buf), func([]byte) bool {
		got := squash(ansi.Strip(x.buf.String()))
		for _, w := range want {
			if !strings.Contains(got, squash(w)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
}

// TestTeaCheckHintAndPass drives the app: open a lesson, check a failing lab, read the failure,
// ask for hints one at a time, fix the code, check again and see every task pass.
func TestTeaCheckHintAndPass(t *testing.T) {
	c := fixtureCourse(t)
	ws := newWorkspace(t, c, "01-hello")
	f := &fakeChecker{delay: 20 * time.Millisecond}
	tm := teatest.NewTestModel(t, New(opts(t, ws, f)), teatest.WithInitialTermSize(100, 30))
	x := &term{t: t, tm: tm}

	x.wait("Continue: 01 Hello and goodbye")
	x.send("enter")
	x.wait("Welcome! In this lesson")
	x.send("c")
	// The results pane opens on the failing task: its message and the learner's output.
	x.wait("0/2 tasks pass", "Results · Greet by name", `greet("Ada")`, "learner log line")
	x.send("h")
	x.wait("Hints · Greet by name (1/2)", "Look at fmt.Sprintf", "Press h for the next hint")
	x.send("h")
	x.wait("return fmt.Sprintf", "That was the last hint")
	x.send("esc")

	solve(t, c, ws, "01-hello")
	x.send("c")
	x.wait("All 2 tasks pass")
	x.send("q")
	m := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	if m.run != nil {
		t.Fatal("a check is still running after quit")
	}
	st, err := ws.Load()
	if err != nil {
		t.Fatal(err)
	}
	ls := st.Labs["01-hello"]
	if ls == nil || ls.Tasks["greet"] == nil || !ls.Tasks["greet"].PassedOnce || ls.Tasks["farewell"].Status != "pass" {
		t.Fatalf("progress not recorded: %+v", ls)
	}
	if ls.Hints["greet"] != 2 {
		t.Fatalf("hints seen = %d, want 2", ls.Hints["greet"])
	}
	if st.Current != "01-hello" {
		t.Fatalf("current = %q", st.Current)
	}
}

// TestTeaWatch toggles watch mode and sees a re-check after a file write.
func TestTeaWatch(t *testing.T) {
	c := fixtureCourse(t)
	ws := newWorkspace(t, c, "01-hello")
	f := &fakeChecker{}
	o := opts(t, ws, f)
	o.Lab, _ = c.Resolve("1")
	tm := teatest.NewTestModel(t, New(o), teatest.WithInitialTermSize(80, 24))
	x := &term{t: t, tm: tm}
	x.wait("Welcome! In this lesson")
	x.send("w")
	// w checks at once, then on every save.
	x.wait("watching", "0/2 tasks pass")
	// Save by rename, like many editors.
	dir := ws.LabDir("01-hello")
	l, _ := c.Resolve("1")
	src, _ := c.ReadFile(l, "solution", "main.go")
	tmp := filepath.Join(dir, ".main.go.tmp-1")
	os.WriteFile(tmp, src, 0o644)
	os.Rename(tmp, filepath.Join(dir, "main.go"))
	x.wait("All 2 tasks pass")
	time.Sleep(400 * time.Millisecond) // a second check would start within the debounce
	if n := f.calls.Load(); n != 2 {
		t.Errorf("checks after w and one save = %d, want 2", n)
	}
	x.send("w")
	x.wait("Watch mode off")
	x.send("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// TestCancelKeepsAppUsable: ctrl+c during a check cancels it; the app stays and can check again.
func TestCancelKeepsAppUsable(t *testing.T) {
	c := fixtureCourse(t)
	ws := newWorkspace(t, c, "01-hello")
	f := &fakeChecker{block: make(chan struct{})}
	o := opts(t, ws, f)
	o.Lab, _ = c.Resolve("1")
	m := New(o)
	drive(t, m, m.Init(), time.Second)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	_, cmd := m.Update(press("c"))
	if m.run == nil {
		t.Fatal("no check started")
	}
	run := m.run
	_, quit := m.Update(press("ctrl+c"))
	if quit != nil {
		if _, ok := quit().(tea.QuitMsg); ok {
			t.Fatal("ctrl+c during a check quit the app")
		}
	}
	drive(t, m, cmd, 3*time.Second)
	select {
	case <-run.finished:
	default:
		t.Fatal("checker still running after cancel")
	}
	if m.run != nil || !strings.Contains(plain(m), "Check cancelled") {
		t.Fatalf("after cancel:\n%s", plain(m))
	}
	close(f.block)
	_, cmd = m.Update(press("c"))
	drive(t, m, cmd, 3*time.Second)
	if !strings.Contains(plain(m), "0/2 tasks pass") {
		t.Fatalf("second check did not run:\n%s", plain(m))
	}
	// q during a check cancels, waits for it, then quits.
	f.block = make(chan struct{})
	m.Update(press("c"))
	_, cmd = m.Update(press("q"))
	if !m.quitting {
		t.Fatal("q did not start quitting")
	}
	_ = cmd
}

func TestHomeFilterAndContinue(t *testing.T) {
	c := fixtureCourse(t)
	ws := newWorkspace(t, c, "01-hello")
	ws.Update(func(s *workspace.State) error {
		s.Current = "01-hello"
		s.Lab("01-hello").Record("greet", "pass", time.Now())
		return nil
	})
	m := New(opts(t, ws, &fakeChecker{}))
	drive(t, m, m.Init(), time.Second)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	v := plain(m)
	if !strings.Contains(v, "Continue: 01 Hello and goodbye — task farewell") || !strings.Contains(v, "1/2") {
		t.Fatalf("home:\n%s", v)
	}
	for _, k := range []string{"/", "r", "e", "d", "i", "s"} {
		m.Update(press(k))
	}
	v = plain(m)
	if strings.Contains(v, "01  Hello") || !strings.Contains(v, "02  Loud words") {
		t.Fatalf("filter 'redis':\n%s", v)
	}
	if got := m.home.visible(m); len(got) != 1 || got[0].ID != "02-shout" {
		t.Fatalf("filtered = %v", got)
	}
	m.Update(press("esc"))
	if got := m.home.visible(m); len(got) != 2 {
		t.Fatalf("esc did not clear the filter: %d", len(got))
	}
	// r (resume) opens lesson 1 the first time at its introduction, with the first unfinished
	// task (farewell) selected, not the passed one.
	_, cmd := m.Update(press("r"))
	drive(t, m, cmd, 2*time.Second)
	r := m.cache.get(m.lesson.shown)
	if m.screen != screenLesson || r == nil || m.lesson.vp.YOffset() != 0 {
		t.Fatalf("continue: screen %v offset %d sections %v", m.screen, m.lesson.vp.YOffset(), r)
	}
	if v := plain(m); !strings.Contains(v, "Welcome! In this lesson") || !strings.Contains(v, "› ○ Say goodbye") {
		t.Fatalf("not at the introduction with farewell selected:\n%s", v)
	}
}

func TestSelectTaskScrollsToSection(t *testing.T) {
	c := fixtureCourse(t)
	o := opts(t, nil, &fakeChecker{})
	o.Lab, _ = c.Resolve("1")
	m := New(o)
	drive(t, m, m.Init(), time.Second)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	drive(t, m, m.lesson.ensureRendered(m), time.Second)
	r := m.cache.get(m.lesson.shown)
	if r == nil || len(r.Sections) != 2 {
		t.Fatalf("sections: %+v", r)
	}
	for _, k := range []string{"n", "n"} { // farewell, then greet (wraps)
		m.Update(press(k))
		id := m.lesson.selectedTask().ID
		// At the top, unless the section is too near the end to scroll that far.
		off, line := m.lesson.vp.YOffset(), r.Sections[id]
		if off != line-1 && !(m.lesson.vp.AtBottom() && line >= off && line < off+m.lesson.vp.Height()) {
			t.Fatalf("after %s: offset %d, section %s at line %d", k, off, id, line)
		}
		if !strings.Contains(plain(m), "Task: "+id) {
			t.Fatalf("heading of %s not visible:\n%s", id, plain(m))
		}
	}
}

// TestLayoutFits: at every size from 80x24 up (and a bit below), every screen fills the window
// exactly and no line is wider than it.
func TestLayoutFits(t *testing.T) {
	c := fixtureCourse(t)
	ws := newWorkspace(t, c, "01-hello")
	f := &fakeChecker{}
	sizes := [][2]int{{80, 24}, {60, 16}, {100, 30}, {120, 40}, {200, 60}, {81, 25}, {99, 24}}
	for _, theme := range []string{"dark", "light"} {
		o := opts(t, ws, f)
		o.Theme = theme
		m := New(o)
		drive(t, m, m.Init(), time.Second)
		screens := []struct {
			name string
			keys []string
		}{
			{"home", nil},
			{"lesson", []string{"enter"}},
			{"results", []string{"c"}},
			{"hints", []string{"h"}},
			{"workspace", []string{"e"}},
			{"help", []string{"?"}},
		}
		for _, sc := range screens {
			for _, k := range sc.keys {
				_, cmd := m.Update(press(k))
				drive(t, m, cmd, 2*time.Second)
			}
			for _, sz := range sizes {
				_, cmd := m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
				drive(t, m, cmd, time.Second)
				drive(t, m, m.lesson.ensureRendered(m), time.Second)
				out := m.View().Content
				lines := strings.Split(out, "\n")
				if len(lines) != sz[1] {
					t.Errorf("%s %s %dx%d: %d lines", theme, sc.name, sz[0], sz[1], len(lines))
				}
				for i, l := range lines {
					if w := lipgloss.Width(l); w > sz[0] {
						t.Errorf("%s %s %dx%d: line %d is %d wide: %q", theme, sc.name, sz[0], sz[1], i, w, ansi.Strip(l))
					}
				}
				p := ansi.Strip(out)
				switch sc.name {
				case "lesson", "results", "hints", "workspace":
					wants := []string{"Greet by name", "Say goodbye", "c check"}
					if sz[0] < 100 {
						// Narrow: the task panel is folded to the selected task (t unfolds it).
						wants = []string{"Greet by name", "t all tasks", "c check"}
					}
					for _, want := range wants {
						if sz[0] >= 80 && !strings.Contains(p, want) {
							t.Errorf("%s %s %dx%d: %q cut off:\n%s", theme, sc.name, sz[0], sz[1], want, p)
						}
					}
				case "home":
					if !strings.Contains(p, "Loud words") || sz[0] >= 80 && !strings.Contains(p, "q quit") {
						t.Errorf("%s home %dx%d cut off:\n%s", theme, sz[0], sz[1], p)
					}
				}
			}
		}
	}
}

// TestRealChecker runs the real checker on a failing and a passing copy of a fixture lab.
func TestRealChecker(t *testing.T) {
	if testing.Short() {
		t.Skip("builds Go code")
	}
	c := fixtureCourse(t)
	ws := newWorkspace(t, c, "01-hello")
	o := opts(t, ws, nil)
	o.Check = RealChecker(c, nil)
	o.Lab, _ = c.Resolve("1")
	m := New(o)
	drive(t, m, m.Init(), time.Second)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	_, cmd := m.Update(press("c"))
	drive(t, m, cmd, 2*time.Minute)
	rep := m.reports["01-hello"]
	if rep == nil {
		t.Fatalf("no report:\n%s", plain(m))
	}
	if rep.Status != checker.Fail || rep.Passed() != 0 {
		t.Fatalf("starter: status %s, passed %d: %+v", rep.Status, rep.Passed(), rep)
	}
	if v := plain(m); !strings.Contains(v, `greet("Ada") = "", want "Hello, Ada!"`) {
		t.Fatalf("failure message not shown:\n%s", v)
	}
	solve(t, c, ws, "01-hello")
	_, cmd = m.Update(press("c"))
	drive(t, m, cmd, 2*time.Minute)
	if rep := m.reports["01-hello"]; rep.Status != checker.Pass {
		t.Fatalf("solution: %+v", rep)
	}
	if !strings.Contains(plain(m), "All 2 tasks pass") {
		t.Fatalf("%s", plain(m))
	}
}

// TestRealCheckerCancel: cancelling a real check returns promptly.
func TestRealCheckerCancel(t *testing.T) {
	if testing.Short() {
		t.Skip("builds Go code")
	}
	c := fixtureCourse(t)
	ws := newWorkspace(t, c, "01-hello")
	l, _ := c.Resolve("1")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := RealChecker(c, nil)(ctx, CheckRequest{Lab: l, Dir: ws.LabDir(l.ID)})
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("check did not stop within 5s of cancel")
	}
}
