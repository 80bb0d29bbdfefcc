package tui

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/learnlab/lab/internal/checker"
	"github.com/learnlab/lab/internal/workspace"
)

// lessonAt opens lab id's lesson in a w x h window and renders it.
func lessonAt(t *testing.T, o Options, id string, w, h int) *Model {
	t.Helper()
	o.Lab, _ = o.Course.Resolve(id)
	m := New(o)
	drive(t, m, m.Init(), time.Second)
	_, cmd := m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	drive(t, m, cmd, time.Second)
	drive(t, m, m.lesson.ensureRendered(m), time.Second)
	return m
}

// 1. The TUI names a lab by its lab.toml title everywhere, as `lab list` does; the lesson's
// H1 stays in the lesson text.
func TestTitlesFromLabToml(t *testing.T) {
	c := fixtureCourse(t)
	ws := newWorkspace(t, c, "01-hello")
	m := New(opts(t, ws, &fakeChecker{}))
	drive(t, m, m.Init(), time.Second)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	home := plain(m)
	for _, want := range []string{"Continue: 01 Hello and goodbye", "01  Hello and goodbye", "02  Loud words"} {
		if !strings.Contains(home, want) {
			t.Errorf("home lacks %q:\n%s", want, home)
		}
	}
	if strings.Contains(home, "Saying hello over HTTP") || strings.Contains(home, "Shouting with Redis") {
		t.Errorf("home shows a lesson H1:\n%s", home)
	}
	_, cmd := m.Update(press("enter"))
	drive(t, m, cmd, 2*time.Second)
	v := plain(m)
	header := strings.SplitN(v, "\n", 2)[0]
	if !strings.Contains(header, "01 · Hello and goodbye") {
		t.Errorf("header = %q", header)
	}
	if !strings.Contains(v, "Saying hello over HTTP") {
		t.Errorf("the lesson's H1 is gone from the lesson text:\n%s", v)
	}
	if got := m.View().WindowTitle; got != "lab · Hello and goodbye" {
		t.Errorf("window title = %q", got)
	}
	// The filter still finds a lab by its lesson's title.
	m.Update(press("esc"))
	for _, k := range []string{"/", "s", "h", "o", "u", "t", "i", "n", "g"} {
		m.Update(press(k))
	}
	if got := m.home.visible(m); len(got) != 1 || got[0].ID != "02-shout" {
		t.Errorf("filter by H1 = %v", got)
	}
}

// 2. Started inside a lab's folder, the home continues with that lab, as `lab check` checks it.
func TestContinueWithTheFolderLab(t *testing.T) {
	c := fixtureCourse(t)
	ws := newWorkspace(t, c, "01-hello", "02-shout")
	ws.Update(func(s *workspace.State) error { s.Current = "01-hello"; return nil })
	sub := filepath.Join(ws.LabDir("02-shout"), "internal")
	os.MkdirAll(sub, 0o755)

	for _, tc := range []struct{ dir, want string }{
		{sub, "Continue: 02 Loud words — task shout"},
		{ws.Dir, "Continue: 01 Hello and goodbye — task greet"}, // not in a lab folder: current
		{t.TempDir(), "Continue: 01 Hello and goodbye — task greet"},
	} {
		o := opts(t, ws, &fakeChecker{})
		o.Dir = tc.dir
		m := New(o)
		drive(t, m, m.Init(), time.Second)
		m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
		if v := plain(m); !strings.Contains(v, tc.want) {
			t.Errorf("from %s: want %q:\n%s", tc.dir, tc.want, v)
		}
		wantSel := "01-hello"
		if tc.dir == sub {
			wantSel = "02-shout"
		}
		if l := m.home.selected(m); l == nil || l.ID != wantSel {
			t.Errorf("from %s: selected %v, want %s", tc.dir, l, wantSel)
		}
		_, cmd := m.Update(press("r"))
		drive(t, m, cmd, 2*time.Second)
		if m.lesson.lab == nil || m.lesson.lab.ID != wantSel {
			t.Errorf("from %s: r opened %v", tc.dir, m.lesson.lab)
		}
	}
	// A finished folder lab hands over to the next unfinished one.
	ws.Update(func(s *workspace.State) error {
		s.Lab("02-shout").Record("shout", "pass", time.Now())
		return nil
	})
	o := opts(t, ws, &fakeChecker{})
	o.Dir = sub
	m := New(o)
	drive(t, m, m.Init(), time.Second)
	if v := plain(m); !strings.Contains(v, "Continue: 01 Hello and goodbye — task greet") {
		t.Errorf("finished folder lab:\n%s", v)
	}
}

// 3. Progress written by another terminal shows up without a restart: the poll reloads it when
// the file changed, and only then.
func TestReloadsProgressFromOtherTerminals(t *testing.T) {
	c := fixtureCourse(t)
	ws := newWorkspace(t, c, "01-hello")
	ws.Update(func(s *workspace.State) error { s.Current = "01-hello"; return nil })
	m := New(opts(t, ws, &fakeChecker{}))
	drive(t, m, m.Init(), time.Second)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	if v := plain(m); !strings.Contains(v, "0/2 lessons done") || !strings.Contains(v, "Continue: 01") {
		t.Fatalf("before:\n%s", v)
	}
	// Nothing changed: the poll reads nothing.
	if msg := m.pollState()(); msg != nil {
		t.Fatalf("poll without a change returned %T", msg)
	}
	// Another terminal: `lab check 1` passes everything, `lab start 2`.
	time.Sleep(10 * time.Millisecond) // a distinct mtime even on coarse clocks
	ws.Update(func(s *workspace.State) error {
		s.Lab("01-hello").Record("greet", "pass", time.Now())
		s.Lab("01-hello").Record("farewell", "pass", time.Now())
		return nil
	})
	l2, _ := c.Resolve("2")
	if _, err := ws.Start(c, l2); err != nil {
		t.Fatal(err)
	}
	// The tick leads to a poll, which reloads.
	_, cmd := m.Update(stateTickMsg{})
	drive(t, m, cmd, time.Second)
	v := plain(m)
	if !strings.Contains(v, "1/2 lessons done") || !strings.Contains(v, "Continue: 02 Loud words") {
		t.Fatalf("after another terminal's check and start:\n%s", v)
	}
	if !m.started["02-shout"] {
		t.Error("02 not seen as started")
	}
	if !m.polling {
		t.Error("the poll tick was not rescheduled")
	}

	// A report from this session goes stale when another terminal records a later check.
	m.reports["01-hello"] = &checker.Report{Lab: "01-hello", Status: checker.Fail, Tasks: []checker.TaskResult{
		{ID: "greet", Status: checker.Fail}, {ID: "farewell", Status: checker.Fail}}}
	m.reportAt["01-hello"] = time.Now().Add(-time.Minute)
	if n := m.passing(c.Labs[0]); n != 0 {
		t.Fatalf("session report not used: %d passing", n)
	}
	time.Sleep(10 * time.Millisecond)
	ws.Update(func(s *workspace.State) error {
		s.Lab("01-hello").Record("greet", "pass", time.Now())
		return nil
	})
	drive(t, m, m.pollState(), time.Second)
	if m.reports["01-hello"] != nil || m.passing(c.Labs[0]) != 2 {
		t.Fatalf("stale report kept: %d passing", m.passing(c.Labs[0]))
	}

	// Focus and going back home look again too.
	if _, cmd := m.Update(tea.FocusMsg{}); cmd == nil {
		t.Error("focus does not poll")
	}
	m.Update(press("enter"))
	if _, cmd := m.Update(press("esc")); cmd == nil {
		t.Error("going home does not reload")
	}
}

// 4. A task that passed once but fails now does not count as passed anywhere, and says so.
func TestWasPassingIsNotPassed(t *testing.T) {
	c := fixtureCourse(t)
	ws := newWorkspace(t, c, "01-hello")
	past := time.Now().Add(-time.Hour)
	ws.Update(func(s *workspace.State) error {
		s.Current = "01-hello"
		s.Lab("01-hello").Record("greet", "pass", past)
		s.Lab("01-hello").Record("greet", "fail", past.Add(time.Minute))
		return nil
	})
	m := lessonAt(t, opts(t, ws, &fakeChecker{}), "1", 100, 30)
	v := plain(m)
	for _, want := range []string{"Tasks 0/2 pass", "✗ Greet by name (was passing)", "✗ failed the last check (was passing)"} {
		if !strings.Contains(flatPanel(v), want) {
			t.Errorf("lesson lacks %q:\n%s", want, v)
		}
	}
	// Home: 0/2 and greet is the task to continue with.
	m.Update(press("esc"))
	drive(t, m, m.loadState(), time.Second)
	v = plain(m)
	if !strings.Contains(v, "0/2 •") || !strings.Contains(v, "— task greet") || !strings.Contains(v, "0/2 lessons done") {
		t.Errorf("home:\n%s", v)
	}
	// After a failing check the panel, the marks and the status line agree.
	_, cmd := m.Update(press("enter"))
	drive(t, m, cmd, time.Second)
	_, cmd = m.Update(press("c"))
	drive(t, m, cmd, 3*time.Second)
	v = plain(m)
	if !strings.Contains(v, "✗ 0/2 tasks pass") || !strings.Contains(v, "Tasks  0/2 pass") || strings.Contains(v, "✓ Greet") {
		t.Errorf("after a failing check:\n%s", v)
	}
}

// 5. The header's percentage says it is the reading position; the selected task is marked; the
// line under the list says what the task is in words.
func TestLessonHeaderAndTaskLine(t *testing.T) {
	c := fixtureCourse(t)
	ws := newWorkspace(t, c, "01-hello")
	m := lessonAt(t, opts(t, ws, &fakeChecker{}), "1", 100, 30)
	v := plain(m)
	header := strings.SplitN(v, "\n", 2)[0]
	if !strings.HasSuffix(strings.TrimSpace(header), "0% read") {
		t.Errorf("header = %q", header)
	}
	for _, want := range []string{"› ○ Greet by name", "not checked yet", "task greet · 1 test · h: a hint (2)"} {
		if !strings.Contains(flatPanel(v), want) {
			t.Errorf("lesson lacks %q:\n%s", want, v)
		}
	}
	m.Update(press("n"))
	v = plain(m)
	if !strings.Contains(v, "› ○ Say goodbye") || strings.Contains(v, "› ○ Greet") {
		t.Errorf("selection did not move:\n%s", v)
	}
	m.Update(press("p"))
	m.Update(press("h"))
	if v := plain(m); !strings.Contains(flatPanel(v), "h: hint 2 of 2") {
		t.Errorf("after one hint:\n%s", v)
	}
	m.Update(press("esc")) // close the hints
	m.Update(press("G"))
	if h := strings.SplitN(plain(m), "\n", 2)[0]; !strings.Contains(h, "100% read") {
		t.Errorf("at the end: %q", h)
	}
	// The narrow layout says it in one line.
	m = lessonAt(t, opts(t, ws, &fakeChecker{}), "1", 80, 24)
	if v := plain(m); !strings.Contains(v, "not checked yet · c checks · task greet · 1 test") {
		t.Errorf("80x24:\n%s", v)
	}
}

// 6. Every heading shows its text without the markdown "#" marks, and section headings are
// still styled.
func TestHeadingsWithoutHashes(t *testing.T) {
	c := fixtureCourse(t)
	l, _ := c.Resolve("1")
	for _, style := range []string{"dark", "light"} {
		r, err := renderLesson(l.Lesson, 80, style)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, line := range strings.Split(r.Content, "\n") {
			p := strings.TrimSpace(ansi.Strip(line))
			if strings.HasPrefix(p, "#") {
				t.Errorf("%s: heading with marks: %q", style, p)
			}
			if p == "Background part 1" {
				found = true
				if !strings.Contains(line, "1m") && !strings.Contains(line, ";1") {
					t.Errorf("%s: H2 not bold: %q", style, line)
				}
			}
		}
		if !found {
			t.Errorf("%s: H2 text missing", style)
		}
		if len(r.Sections) != 2 {
			t.Errorf("%s: task sections = %v", style, r.Sections)
		}
	}
}

// 7. Long task titles wrap in the panel instead of being cut, at 100x30 and at 80x24.
func TestLongTaskTitlesWrap(t *testing.T) {
	c := fixtureCourse(t)
	ws := newWorkspace(t, c, "01-hello")
	long := "JSON logs: level from LOG_LEVEL, secrets redacted, one record per request"
	c.Labs[0].Tasks[1].Title = long
	for _, sz := range [][2]int{{100, 30}, {80, 24}, {120, 40}} {
		o := opts(t, ws, &fakeChecker{})
		o.Course = c
		m := lessonAt(t, o, "1", sz[0], sz[1])
		m.Update(press("n")) // select it: the selected task is always wholly in view
		if sz[0] < 100 {
			m.Update(press("t")) // narrow: unfold the task list into its box
		}
		v := plain(m)
		if strings.Contains(panelText(v), "…") {
			t.Errorf("%dx%d: something is cut:\n%s", sz[0], sz[1], v)
		}
		if got := flatPanel(v); !strings.Contains(got, long) {
			t.Errorf("%dx%d: title not whole in the panel (%q):\n%s", sz[0], sz[1], got, v)
		}
	}
}

// panelText is the text inside the task panel's border, lines joined.
func panelText(v string) string {
	var b strings.Builder
	for _, line := range strings.Split(v, "\n") {
		// The rightmost box: the panel, beside the lesson or a pane, or below them.
		j := strings.LastIndex(line, "│")
		if j < 0 {
			continue
		}
		i := strings.LastIndex(line[:j], "│")
		if i < 0 {
			continue
		}
		b.WriteString(strings.TrimPrefix(line[i+len("│"):j], " ") + " ")
	}
	return b.String()
}

// flatPanel is the task panel's text with wrapping undone (runs of spaces as one).
func flatPanel(v string) string { return strings.Join(strings.Fields(panelText(v)), " ") }

// 8. Run returns the app's error (after the terminal is restored), saying the workbench stopped.
func TestRunReturnsErrors(t *testing.T) {
	c := fixtureCourse(t)
	ws := newWorkspace(t, c, "01-hello")
	o := opts(t, ws, &fakeChecker{})
	run := func(o Options, keys string) error {
		var out bytes.Buffer
		in, typing := io.Pipe()
		go func() {
			time.Sleep(300 * time.Millisecond) // after progress is read
			typing.Write([]byte(keys))
		}()
		defer typing.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return Run(ctx, o, tea.WithInput(in), tea.WithOutput(&out), tea.WithWindowSize(80, 24))
	}
	if err := run(o, "q"); err != nil {
		t.Fatalf("q: %v", err)
	}
	o.Lab = c.Labs[0]
	o.Now = func() time.Time { panic("boom") } // a check reads the clock
	stderr := os.Stderr                        // bubbletea prints the panic's stack there
	os.Stderr, _ = os.Open(os.DevNull)
	err := run(o, "c")
	os.Stderr.Close()
	os.Stderr = stderr
	if err == nil || !strings.Contains(err.Error(), "the workbench stopped") {
		t.Fatalf("panic: %v", err)
	}
}
