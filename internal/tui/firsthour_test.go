package tui

// Tests for issue 14, "the learner's first hour": one test per item the workbench owns.

import (
	"context"
	"errors"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/learnlab/lab/internal/checker"
	"github.com/learnlab/lab/internal/course"
)

// clock is a settable Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func newClock() *clock               { return &clock{t: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)} }
func countOf(s, sub string) int      { return strings.Count(strings.Join(strings.Fields(s), " "), sub) }
func lines(s string) []string        { return strings.Split(s, "\n") }
func statusRow(m *Model) string      { l := lines(plain(m)); return l[len(l)-2] }
func footerRow(m *Model) string      { l := lines(plain(m)); return l[len(l)-1] }
func hasAll(s string, want ...string) bool {
	for _, w := range want {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}

// 1. A first check does not look hung: the status line names the phase (services, the build
// lab start began, building dependencies, compiling, running) with the seconds since the check
// began; on a cold cache the results pane opens once and says why the first build is slow.
func TestFirstCheckShowsPhases(t *testing.T) {
	c := fixtureCourse(t)
	ws := newWorkspace(t, c, "01-hello")
	f := &fakeChecker{block: make(chan struct{})}
	clk := newClock()
	o := opts(t, ws, f)
	o.Now = clk.now
	m := lessonAt(t, o, "1", 80, 24)
	m.Update(press("c"))
	run := m.run
	if run == nil {
		t.Fatal("no check started")
	}
	ev := func(e checker.Event) { m.Update(checkEventMsg{id: run.id, ev: e}) }
	steps := []struct {
		ev   checker.Event
		wait time.Duration
		want string
	}{
		{checker.Event{Kind: checker.Services, Detail: "Redis"}, 2 * time.Second, "starting Redis · 2s"},
		{checker.Event{Kind: checker.Waiting, Detail: "waiting for the build lab start began"}, 5 * time.Second, "waiting for the build lab start began · 7s"},
		{checker.Event{Kind: checker.Building, Detail: "building dependencies (github.com/redis/go-redis/v9)", ColdCache: true}, 40 * time.Second, "building dependencies (github.com/redis/go-redis/v9) · 47s"},
	}
	for _, s := range steps {
		ev(s.ev)
		clk.add(s.wait)
		if got := statusRow(m); !strings.Contains(got, s.want) {
			t.Errorf("status %q, want %q", got, s.want)
		}
	}
	v := plain(m)
	if !hasAll(v, "Why so slow?", "✓ starting Redis · 2s", "waiting for the build lab start began · 5s") {
		t.Errorf("the cold cache did not open the progress log:\n%s", v)
	}
	ev(checker.Event{Kind: checker.Building, Detail: "compiling your code"})
	ev(checker.Event{Kind: checker.Running})
	ev(checker.Event{Kind: checker.TestStarted, Test: "TestGreet", TaskID: "greet"})
	clk.add(time.Second)
	if got := statusRow(m); !strings.Contains(got, "running tests: 0/2 done, 0/2 tasks graded · 48s") {
		t.Errorf("running: status %q", got)
	}
	if v := plain(m); !strings.Contains(v, "compiling your code · 0s") {
		t.Errorf("progress log lacks the compile step:\n%s", v)
	}
	// A second cold check in the same session does not open the pane again.
	close(f.block)
	drive(t, m, m.waitCheck(run), 3*time.Second)
	m.Update(press("esc"))
	f.block = make(chan struct{})
	m.Update(press("c"))
	m.Update(checkEventMsg{id: m.run.id, ev: checker.Event{Kind: checker.Building, ColdCache: true}})
	if m.lesson.pane != nil {
		t.Errorf("the cold-cache note opened a second time")
	}
	m.cancelCheck()
	close(f.block)
}

// 3. lab start N in a terminal: the workbench says where the code is, within 80 columns, and
// says it again on quit.
func TestStartSaysWhereTheCodeIs(t *testing.T) {
	c := fixtureCourse(t)
	ws := newWorkspace(t, c, "01-hello")
	o := opts(t, ws, &fakeChecker{})
	o.Dir = filepath.Dir(ws.Dir)
	m := lessonAt(t, o, "1", 80, 24)
	want := "Your code: ./" + filepath.Base(ws.Dir) + "/01-hello"
	if got := statusRow(m); !strings.Contains(got, want) || strings.Contains(got, "…") {
		t.Errorf("status %q, want %q uncut", got, want)
	}
	bye := m.farewell()
	if !hasAll(bye, want[len("Your code: "):], "lab check 1", "lab hint 1") {
		t.Errorf("farewell:\n%s", bye)
	}
}

// 5. Lesson text: list items re-flowed (no source line breaks), code blocks clipped with a
// marker instead of wrapped, inline code not padded; at 80x24 the lesson gets most rows and t
// unfolds the task list.
func TestLessonRendering(t *testing.T) {
	src := "# T\n\nUse `productKey(id)` here.\n\n" +
		"- first item that goes on\n  over a second source line\n  and a third.\n- second\n\n" +
		"```go\nfunc f() { // a comment far longer than the lesson is wide, so it must be clipped and never wrapped\n}\n```\n"
	r, err := renderLesson(&course.Lesson{Source: []byte(src)}, 60, "dark")
	if err != nil {
		t.Fatal(err)
	}
	p := ansi.Strip(r.Content)
	if !strings.Contains(p, "Use productKey(id) here.") {
		t.Errorf("inline code padded:\n%s", p)
	}
	if !strings.Contains(p, "• first item that goes on over a second source line and a") {
		t.Errorf("list item keeps its source line breaks:\n%s", p)
	}
	if !strings.Contains(p, "\n    third.") {
		t.Errorf("the item's continuation does not hang under its text:\n%s", p)
	}
	var code []string
	for _, l := range lines(p) {
		if strings.Contains(l, "func f()") || strings.Contains(l, "clipped") || strings.Contains(l, "wrapped") {
			code = append(code, l)
		}
	}
	if len(code) != 1 || !strings.HasSuffix(strings.TrimSpace(code[0]), "…") || ansi.StringWidth(code[0]) > 62 {
		t.Errorf("code line wrapped or not clipped: %q", code)
	}

	c := fixtureCourse(t)
	m := lessonAt(t, opts(t, newWorkspace(t, c, "01-hello"), &fakeChecker{}), "1", 80, 24)
	if h := m.lesson.vp.Height(); h < 18 {
		t.Errorf("at 80x24 the lesson gets %d rows, want 18 or more", h)
	}
	if v := plain(m); !hasAll(v, "Tasks 0/2 pass", "› ○ Greet by name", "t all tasks") || strings.Contains(v, "Say goodbye") {
		t.Errorf("folded task line:\n%s", v)
	}
	m.Update(press("t"))
	if v := plain(m); !hasAll(v, "Greet by name", "Say goodbye", "╭") || m.lesson.vp.Height() >= 18 {
		t.Errorf("t did not unfold the task list:\n%s", v)
	}
	m.Update(press("t"))
	if m.lesson.vp.Height() < 18 {
		t.Errorf("t did not fold it again")
	}
	m.Update(press("?"))
	if v := plain(m); !strings.Contains(v, "t") || !strings.Contains(v, "task list") {
		t.Errorf("help does not list t:\n%s", v)
	}
}

// 6. Where a lesson reopens: the first time at its introduction with the first unfinished task
// selected; afterwards where the learner left it (scroll and task, kept in .lab/tui.json, not
// in the progress); the last check's results are still there in a new session.
func TestReopensWhereLeft(t *testing.T) {
	c := fixtureCourse(t)
	ws := newWorkspace(t, c, "01-hello")
	f := &fakeChecker{}
	m := New(opts(t, ws, f))
	drive(t, m, m.Init(), time.Second)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	_, cmd := m.Update(press("enter"))
	drive(t, m, cmd, 2*time.Second)
	if m.lesson.vp.YOffset() != 0 || m.lesson.sel != 0 {
		t.Fatalf("first open: offset %d task %d, want the introduction", m.lesson.vp.YOffset(), m.lesson.sel)
	}
	_, cmd = m.Update(press("c")) // fails: results kept on disk
	drive(t, m, cmd, 3*time.Second)
	m.Update(press("esc")) // close the results
	m.Update(press("n"))   // farewell, its section
	for range 5 {
		m.Update(press("j"))
	}
	off := m.lesson.vp.YOffset()
	_, cmd = m.Update(press("esc")) // home: saves the position
	drive(t, m, cmd, time.Second)
	if _, err := os.Stat(filepath.Join(ws.Dir, ".lab", "tui.json")); err != nil {
		t.Fatalf("reading position not saved: %v", err)
	}

	m2 := New(opts(t, ws, f))
	drive(t, m2, m2.Init(), time.Second)
	m2.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	_, cmd = m2.Update(press("r"))
	drive(t, m2, cmd, 2*time.Second)
	if got := m2.lesson.vp.YOffset(); got < off-1 || got > off+1 || m2.lesson.selectedTask().ID != "farewell" {
		t.Errorf("reopened at offset %d task %v, want %d farewell", got, m2.lesson.selectedTask().ID, off)
	}
	m2.Update(press("o"))
	if v := plain(m2); strings.Contains(v, "No check yet") || !strings.Contains(v, `farewell("Ada") = ""`) {
		t.Errorf("the last check's results are gone:\n%s", v)
	}

	// A passed task is not the default cursor: farewell passes now, greet does not.
	solve(t, c, ws, "01-hello")
	src, _ := os.ReadFile(filepath.Join(ws.LabDir("01-hello"), "main.go"))
	os.WriteFile(filepath.Join(ws.LabDir("01-hello"), "main.go"), []byte(strings.Replace(string(src), `"Hello, %s!"`, `"Hi"`, 1)), 0o644)
	_, cmd = m2.Update(press("c"))
	drive(t, m2, cmd, 3*time.Second)
	m2.Update(press("n"))
	_, cmd = m2.Update(press("esc"))
	drive(t, m2, cmd, time.Second)
	m2.Update(press("esc"))
	m3 := New(opts(t, ws, f))
	drive(t, m3, m3.Init(), time.Second)
	_, cmd = m3.Update(press("r"))
	drive(t, m3, cmd, 2*time.Second)
	if got := m3.lesson.selectedTask().ID; got != "greet" {
		t.Errorf("cursor on %s, want the unfinished greet", got)
	}
}

// 7. / searches the lesson: typed keys are text (no check, no hint), matches are highlighted,
// n/N go from match to match, esc leaves the search and n selects tasks again.
func TestSearchLesson(t *testing.T) {
	c := fixtureCourse(t)
	f := &fakeChecker{}
	ws := newWorkspace(t, c, "01-hello")
	m := lessonAt(t, opts(t, ws, f), "1", 80, 24)
	m.Update(press("/"))
	for _, k := range strings.Split("single", "") {
		m.Update(press(k))
	}
	if f.calls.Load() != 0 || m.lesson.pane != nil || m.screen != screenLesson {
		t.Fatalf("typing a search ran commands: checks %d pane %v", f.calls.Load(), m.lesson.pane)
	}
	m.Update(press("esc"))
	m.Update(press("/"))
	for _, k := range strings.Split("honest", "") {
		m.Update(press(k))
	}
	m.Update(press("enter"))
	s := m.lesson.search
	if len(s.matches) < 3 {
		t.Fatalf("matches for 'honest': %+v\n%s", s, plain(m))
	}
	if got := footerRow(m); !strings.Contains(got, "/honest") || !strings.Contains(got, "1/") {
		t.Errorf("footer %q", got)
	}
	view := m.View().Content
	if !strings.Contains(view, m.styles.SearchCurrent.Render("honest")) {
		t.Errorf("the current match is not highlighted")
	}
	first := s.matches[0].line
	m.Update(press("n"))
	m.Update(press("n"))
	if m.lesson.search.cur != 2 {
		t.Errorf("n: at match %d, want 2", m.lesson.search.cur)
	}
	m.Update(press("N"))
	if m.lesson.search.cur != 1 || m.lesson.sel != 0 {
		t.Errorf("N: at match %d, task %d", m.lesson.search.cur, m.lesson.sel)
	}
	_ = first
	m.Update(press("esc"))
	if m.lesson.search.active() || strings.Contains(footerRow(m), "/honest") {
		t.Errorf("esc did not leave the search")
	}
	m.Update(press("n"))
	if m.lesson.sel != 1 {
		t.Errorf("after the search n does not select the next task")
	}
	m.Update(press("/"))
	m.Update(press("q"))
	if m.quitting {
		t.Errorf("q typed in a search quit the app")
	}
}

// 8. The results pane starts at the top for every task; each failure is printed once.
func TestResultsPaneOncePerFailure(t *testing.T) {
	c := fixtureCourse(t)
	ws := newWorkspace(t, c, "01-hello")
	m := lessonAt(t, opts(t, ws, &fakeChecker{}), "1", 80, 24)
	_, cmd := m.Update(press("c"))
	drive(t, m, cmd, 3*time.Second)
	if m.lesson.pane == nil {
		t.Fatal("no results pane")
	}
	if n := countOf(m.lesson.pane.body, `greet("Ada") = "", want something else`); n != 1 {
		t.Errorf("the failure is printed %d times:\n%s", n, m.lesson.pane.body)
	}
	m.lesson.pane.vp.SetYOffset(3)
	m.Update(press("n"))
	if off := m.lesson.pane.vp.YOffset(); off != 0 {
		t.Errorf("the next task's results open at line %d", off)
	}
}

// 9. Status messages do not go stale: they clear when another lesson opens, and after a while.
func TestStatusClears(t *testing.T) {
	c := fixtureCourse(t)
	ws := newWorkspace(t, c, "01-hello")
	clk := newClock()
	o := opts(t, ws, &fakeChecker{})
	o.Now = clk.now
	m := lessonAt(t, o, "2", 80, 24)
	m.Update(press("c")) // 02 is not started
	if !strings.Contains(statusRow(m), "02 is not started") {
		t.Fatalf("status %q", statusRow(m))
	}
	_, cmd := m.Update(press("["))
	drive(t, m, cmd, time.Second)
	if strings.Contains(statusRow(m), "02 is not started") {
		t.Errorf("stale status in lesson 01: %q", statusRow(m))
	}
	m.setStatus(statusInfo, "news")
	clk.add(5 * time.Second)
	m.Update(stateTickMsg{})
	if !strings.Contains(statusRow(m), "news") {
		t.Errorf("cleared too soon")
	}
	clk.add(10 * time.Second)
	m.Update(stateTickMsg{})
	if strings.Contains(statusRow(m), "news") {
		t.Errorf("status not cleared after 15 s")
	}
}

// 11. A wide screen is used: at 200x60 the lesson is at a readable measure, the results pane
// sits beside it under the tasks, and the lessons list shows each summary.
func TestWideScreen(t *testing.T) {
	c := fixtureCourse(t)
	ws := newWorkspace(t, c, "01-hello")
	m := lessonAt(t, opts(t, ws, &fakeChecker{}), "1", 200, 60)
	g := m.lesson.layout(m)
	if !g.wide || g.vpW > maxProse+2 || g.panelW < 80 {
		t.Errorf("layout at 200: %+v", g)
	}
	_, cmd := m.Update(press("c"))
	drive(t, m, cmd, 3*time.Second)
	v := plain(m)
	row := ""
	for _, l := range lines(v) {
		if strings.Contains(l, "Results ·") {
			row = l
		}
	}
	if !strings.Contains(row, "Results ·") || strings.Index(row, "Results ·") < maxProse/2 {
		t.Errorf("results not beside the lesson:\n%s", v)
	}
	if !strings.Contains(v, "Welcome! In this lesson") {
		t.Errorf("the lesson is hidden by the results at 200x60:\n%s", v)
	}
	_, cmd = m.Update(press("esc"))
	drive(t, m, cmd, time.Second)
	m.Update(press("esc"))
	if v := plain(m); !hasAll(v, "Two tiny functions", "Upper case, loudly") {
		t.Errorf("home at 200x60 does not show the summaries:\n%s", v)
	}
}

// 12. Finishing a lab says what is next, and continue moves on to the next unfinished lab.
func TestFinishSaysWhatsNext(t *testing.T) {
	c := fixtureCourse(t)
	c.Labs[1].Topic = "Strings"
	ws := newWorkspace(t, c, "01-hello")
	solve(t, c, ws, "01-hello")
	o := opts(t, ws, &fakeChecker{})
	o.Course = c
	m := lessonAt(t, o, "1", 100, 30)
	_, cmd := m.Update(press("c"))
	drive(t, m, cmd, 3*time.Second)
	if got := statusRow(m); !hasAll(got, "All 2 tasks pass", "Next: 02 Strings", "] opens it", "lab start 2") {
		t.Errorf("status %q", got)
	}
	if l, _ := m.continueTarget(); l == nil || l.ID != "02-shout" {
		t.Errorf("continue goes to %v, want 02-shout", l)
	}
}

// 13. Topic first: home, headers and the window title say "02 Strings — Loud words".
func TestTopicFirst(t *testing.T) {
	c := fixtureCourse(t)
	c.Labs[1].Topic = "Strings"
	o := opts(t, nil, &fakeChecker{})
	o.Course = c
	m := New(o)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	if v := plain(m); !strings.Contains(v, "02  Strings — Loud words") {
		t.Errorf("home:\n%s", v)
	}
	m = lessonAt(t, o, "2", 100, 30)
	if v := plain(m); !strings.Contains(lines(v)[0], "02 · Strings — Loud words") {
		t.Errorf("header %q", lines(v)[0])
	}
}

// 15. w checks at once; c means check and only check (r resumes on the home screen); the code
// pane says how to start the lab's services before go run.
func TestKeysAndCodePane(t *testing.T) {
	c := fixtureCourse(t)
	ws := newWorkspace(t, c, "01-hello", "02-shout")
	f := &fakeChecker{}
	m := New(opts(t, ws, f))
	drive(t, m, m.Init(), time.Second)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	_, cmd := m.Update(press("c"))
	drive(t, m, cmd, time.Second)
	if m.screen != screenHome || f.calls.Load() != 0 || !strings.Contains(plain(m), "r resumes") {
		t.Errorf("c on home: screen %v checks %d\n%s", m.screen, f.calls.Load(), plain(m))
	}
	m.Update(press("?"))
	help := plain(m)
	if !hasAll(help, "r resume", "c check") {
		t.Errorf("help:\n%s", help)
	}
	m.Update(press("?"))
	_, cmd = m.Update(press("G"))
	drive(t, m, cmd, time.Second)
	_, cmd = m.Update(press("enter"))
	drive(t, m, cmd, time.Second)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 40})
	m.Update(press("e"))
	body := m.lesson.pane.body
	up := strings.Index(body, "lab services up 2")
	env := strings.Index(body, `eval "$(lab services env 2)"`)
	run := strings.Index(body, "go run .")
	if up < 0 || env < up || run < env {
		t.Errorf("code pane for a lab with Redis:\n%s", body)
	}
	m.Update(press("esc"))
	_, cmd = m.Update(press("w"))
	m.Update(cmd()) // the watcher started: a check starts with it
	if m.run == nil {
		t.Fatal("w did not start a check")
	}
	select {
	case <-m.run.finished:
	case <-time.After(5 * time.Second):
	}
	if f.calls.Load() != 1 {
		t.Errorf("w did not check at once: %d checks", f.calls.Load())
	}
	if m.watcher != nil {
		m.watcher.Close()
	}
}

// 10. Light terminals: with no theme set and no answer to the colour query, the lesson text
// keeps the terminal's own colour (never light grey on white); an answer picks the palette; a
// fixed theme ignores it; GLAMOUR_STYLE's own style names are honoured for lessons.
func TestThemes(t *testing.T) {
	c := fixtureCourse(t)
	o := opts(t, nil, &fakeChecker{})
	o.Theme = ""
	m := New(o)
	if m.styles.GlamourStyle != "neutral" {
		t.Fatalf("no theme, no answer: glamour style %q", m.styles.GlamourStyle)
	}
	lesson := c.Labs[0].Lesson
	r, err := renderLesson(lesson, 70, "neutral")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lines(r.Content) {
		if strings.Contains(ansi.Strip(l), "Welcome!") && strings.Contains(l, "38;5;252") {
			t.Errorf("neutral lesson text is light grey: %q", l)
		}
	}
	if d, _ := renderLesson(lesson, 70, "dark"); !strings.Contains(d.Content, "38;5;252") {
		t.Errorf("the dark style no longer colours text 252: the neutral test proves nothing")
	}
	m.Update(tea.BackgroundColorMsg{Color: lipglossWhite})
	if m.styles.GlamourStyle != "light" || m.styles.Dark {
		t.Errorf("a white background answered: style %q", m.styles.GlamourStyle)
	}
	o.Theme = "light"
	m = New(o)
	m.Update(tea.BackgroundColorMsg{Color: lipglossBlack})
	if m.styles.GlamourStyle != "light" {
		t.Errorf("--theme light was overridden by the terminal's answer")
	}
	o.GlamourStyle = "dracula"
	m = New(o)
	if m.styles.GlamourStyle != "dracula" {
		t.Errorf("GLAMOUR_STYLE=dracula: %q", m.styles.GlamourStyle)
	}
	if _, err := renderLesson(lesson, 70, "dracula"); err != nil {
		t.Errorf("dracula: %v", err)
	}
}

var (
	lipglossWhite = color.RGBA{255, 255, 255, 255}
	lipglossBlack = color.RGBA{0, 0, 0, 255}
)

// A check that cannot run says why in the results pane, and the status stays past the usual
// few seconds.
func TestCheckErrorKept(t *testing.T) {
	c := fixtureCourse(t)
	ws := newWorkspace(t, c, "01-hello")
	clk := newClock()
	o := opts(t, ws, &fakeChecker{})
	o.Now = clk.now
	o.Check = func(context.Context, CheckRequest) (*checker.Report, error) {
		return nil, errors.New("go: cannot find GOROOT directory: set GOROOT or reinstall Go")
	}
	m := lessonAt(t, o, "1", 80, 24)
	_, cmd := m.Update(press("c"))
	drive(t, m, cmd, 2*time.Second)
	clk.add(time.Minute)
	m.Update(stateTickMsg{})
	if !strings.Contains(statusRow(m), "Check failed to run") {
		t.Errorf("status after a minute: %q", statusRow(m))
	}
	m.Update(press("o"))
	if !strings.Contains(plain(m), "cannot find GOROOT") {
		t.Errorf("results pane:\n%s", plain(m))
	}
}
