package tui

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/learnlab/lab/internal/checker"
	"github.com/learnlab/lab/internal/course"
	"github.com/learnlab/lab/internal/watch"
	"github.com/learnlab/lab/internal/workspace"
)

type screen int

const (
	screenHome screen = iota
	screenLesson
)

type statusKind int

const (
	statusInfo statusKind = iota
	statusOK
	statusErr
	statusWarn
)

// Model is the root model. It owns what the screens share (course, progress, checks, watch,
// the render cache) and delegates keys and drawing to the child models: home, lesson (with its
// pane) and help.
type Model struct {
	opts   Options
	course *course.Course
	keys   keyMap
	styles Styles
	now    func() time.Time

	width, height int
	themeFixed    bool

	ws      *workspace.Workspace
	state   *workspace.State
	started map[string]bool // lab id -> its folder exists in the workspace

	screen screen
	help   bool
	home   homeModel
	lesson lessonModel

	cache  *renderCache
	inRend map[renderKey]bool // renders in flight

	status     string
	statusKind statusKind

	run     *checkRun
	runSeq  int
	reports map[string]*checker.Report // lab id -> last report this session
	spinner spinner.Model

	watcher  *watch.Watcher
	watchLab *course.Lab
	watchErr string

	quitting   bool
	firstFrame time.Duration
}

// New makes the app model.
func New(opts Options) *Model {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Editor == "" {
		opts.Editor = editorFromEnv()
	}
	m := &Model{
		opts:    opts,
		course:  opts.Course,
		keys:    newKeyMap(),
		now:     opts.Now,
		cache:   newRenderCache(),
		inRend:  map[renderKey]bool{},
		reports: map[string]*checker.Report{},
		started: map[string]bool{},
		state:   &workspace.State{},
		spinner: spinner.New(spinner.WithSpinner(spinner.MiniDot)),
		width:   80,
		height:  24,
	}
	dark := true
	switch opts.Theme {
	case "light":
		dark, m.themeFixed = false, true
	case "dark":
		m.themeFixed = true
	}
	m.setStyles(dark)
	m.home = newHome()
	m.lesson = newLesson()
	if opts.Lab != nil {
		m.screen = screenLesson
		m.lesson.open(opts.Lab, "")
	} else {
		l, t := m.continueTarget()
		m.home.selectLab(m, l, t)
	}
	return m
}

func (m *Model) setStyles(dark bool) {
	m.styles = NewStyles(dark)
	m.spinner.Style = m.styles.Spinner
}

// Init loads progress and asks the terminal for its background color.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.loadState()}
	if !m.themeFixed {
		cmds = append(cmds, tea.RequestBackgroundColor)
	}
	if m.screen == screenLesson {
		cmds = append(cmds, m.lesson.ensureRendered(m))
	}
	return tea.Batch(cmds...)
}

// ---- messages ----

type stateMsg struct {
	ws      *workspace.Workspace
	state   *workspace.State
	started map[string]bool
	err     error
}

type forceQuitMsg struct{}

// loadState finds the workspace and reads progress, in a Cmd.
func (m *Model) loadState() tea.Cmd {
	find, c := m.opts.Workspace, m.course
	return func() tea.Msg { return readState(find, c, false) }
}

func readState(find func(bool) (*workspace.Workspace, error), c *course.Course, create bool) stateMsg {
	if find == nil {
		return stateMsg{state: &workspace.State{}}
	}
	ws, err := find(create)
	if err != nil || ws == nil {
		return stateMsg{state: &workspace.State{}} // no workspace yet: nothing started
	}
	st, err := ws.Load()
	if st == nil {
		st = &workspace.State{}
	}
	started := map[string]bool{}
	for _, l := range c.Labs {
		started[l.ID] = ws.Started(l.ID)
	}
	return stateMsg{ws: ws, state: st, started: started, err: err}
}

func (m *Model) setStatus(kind statusKind, s string) { m.status, m.statusKind = s, kind }

// ---- update ----

// Update handles a message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = max(msg.Width, 20), max(msg.Height, 8)
		return m, m.lesson.resize(m)

	case tea.BackgroundColorMsg:
		if m.themeFixed {
			return m, nil
		}
		m.setStyles(msg.IsDark())
		return m, m.lesson.ensureRendered(m)

	case stateMsg:
		if msg.ws != nil {
			m.ws = msg.ws
		}
		if msg.state != nil {
			keepHints(msg.state, m.state)
			m.state = msg.state
		}
		if msg.started != nil {
			m.started = msg.started
		}
		if msg.err != nil {
			m.setStatus(statusWarn, msg.err.Error())
		}
		if m.screen == screenHome && !m.home.moved {
			l, t := m.continueTarget()
			m.home.selectLab(m, l, t)
		}
		return m, nil

	case renderedMsg:
		return m, m.lesson.rendered(m, msg)

	case renderReqMsg:
		return m, m.lesson.renderRequested(m, msg)

	case spinner.TickMsg:
		if m.run == nil {
			return m, nil
		}
		var cmd tea.Cmd
		m.spinner, cmd = m.spinner.Update(msg)
		return m, cmd

	case checkEventMsg:
		return m, m.checkEvent(msg)

	case checkDoneMsg:
		return m, m.checkDone(msg)

	case recordedMsg:
		if msg.err != nil {
			m.setStatus(statusErr, "could not save progress: "+msg.err.Error())
		}
		if msg.state != nil {
			keepHints(msg.state, m.state)
			m.state = msg.state
		}
		return m, nil

	case startedMsg:
		return m, m.labStarted(msg)

	case hintSavedMsg:
		if msg.err != nil {
			m.setStatus(statusWarn, "hint shown but not saved: "+msg.err.Error())
		}
		return m, nil

	case watchStartedMsg:
		return m, m.watchStarted(msg)

	case watchChangeMsg:
		return m, m.watchChanged(msg)

	case forceQuitMsg:
		return m, tea.Quit

	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	}
	return m, nil
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	// Typing a filter takes every printable key.
	if m.screen == screenHome && m.home.typing && !key.Matches(msg, k.Interrupt) {
		return m.home.update(m, msg)
	}
	switch {
	case key.Matches(msg, k.Interrupt):
		if m.run != nil {
			m.cancelCheck()
			return nil
		}
		return m.quit()
	case key.Matches(msg, k.Quit):
		return m.quit()
	case key.Matches(msg, k.Help):
		m.help = !m.help
		return nil
	}
	if m.help {
		if key.Matches(msg, k.Back) {
			m.help = false
		}
		return nil
	}
	if m.screen == screenHome {
		return m.home.update(m, msg)
	}
	return m.lesson.update(m, msg)
}

// quit ends the app; a running check is cancelled first and waited for (briefly), so no test
// process or container is left behind.
func (m *Model) quit() tea.Cmd {
	if m.run == nil {
		m.quitting = true
		return tea.Quit
	}
	m.quitting = true
	m.cancelCheck()
	m.setStatus(statusWarn, "stopping the check before quitting…")
	return tea.Tick(10*time.Second, func(time.Time) tea.Msg { return forceQuitMsg{} })
}

// shutdown releases what the app holds; Run calls it after the program ends.
func (m *Model) shutdown() {
	if m.run != nil {
		m.run.cancel()
		select {
		case <-m.run.finished:
		case <-time.After(10 * time.Second):
		}
	}
	if m.watcher != nil {
		m.watcher.Close()
		m.watcher = nil
	}
}

// FirstFrame is how long after process start the first full frame was drawn.
func (m *Model) FirstFrame() time.Duration { return m.firstFrame }

// openLesson switches to a lesson, jumping to a task's section when taskID is set.
func (m *Model) openLesson(l *course.Lab, taskID string) tea.Cmd {
	m.screen = screenLesson
	m.lesson.open(l, taskID)
	return m.lesson.ensureRendered(m)
}

func (m *Model) labIndex(l *course.Lab) int {
	for i, x := range m.course.Labs {
		if x == l {
			return i
		}
	}
	return -1
}

// ---- progress helpers ----

// passedOnce counts the lab's tasks that have passed at least once.
func (m *Model) passedOnce(l *course.Lab) int {
	ls := m.state.Labs[l.ID]
	if ls == nil {
		return 0
	}
	n := 0
	for _, t := range l.Tasks {
		if ts := ls.Tasks[t.ID]; ts != nil && (ts.PassedOnce || ts.Status == string(checker.Pass)) {
			n++
		}
	}
	return n
}

// continueTarget is where "continue" goes: the current lab if unfinished, else the first
// unfinished lab; and its first unfinished task.
func (m *Model) continueTarget() (*course.Lab, string) {
	if len(m.course.Labs) == 0 {
		return nil, ""
	}
	unfinished := func(l *course.Lab) string {
		ls := m.state.Labs[l.ID]
		for _, t := range l.Tasks {
			if ls == nil {
				return t.ID
			}
			if ts := ls.Tasks[t.ID]; ts == nil || !(ts.PassedOnce || ts.Status == string(checker.Pass)) {
				return t.ID
			}
		}
		return ""
	}
	if m.state.Current != "" {
		for _, l := range m.course.Labs {
			if l.ID == m.state.Current {
				if t := unfinished(l); t != "" {
					return l, t
				}
			}
		}
	}
	for _, l := range m.course.Labs {
		if t := unfinished(l); t != "" {
			return l, t
		}
	}
	return m.course.Labs[len(m.course.Labs)-1], "" // all done
}

// ---- view ----

// View draws the current screen.
func (m *Model) View() tea.View {
	var s string
	switch {
	case m.help:
		s = m.helpView()
	case m.screen == screenHome:
		s = m.home.view(m)
	default:
		s = m.lesson.view(m)
	}
	if m.firstFrame == 0 {
		m.firstFrame = time.Since(startTime)
	}
	v := tea.NewView(s)
	v.AltScreen = true
	v.WindowTitle = "lab"
	if m.screen == screenLesson && m.lesson.lab != nil {
		v.WindowTitle = "lab · " + lessonTitle(m.lesson.lab)
	}
	return v
}

// frame fits s into the window: cut or padded to exactly width x height.
func (m *Model) frame(s string) string {
	lines := strings.Split(s, "\n")
	if len(lines) > m.height {
		lines = lines[:m.height]
	}
	for i, l := range lines {
		if len(l) > m.width && ansi.StringWidth(l) > m.width { // len: bytes >= cells, a cheap test first
			lines[i] = ansi.Truncate(l, m.width, "…")
		}
	}
	for len(lines) < m.height {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// footer renders key hints that fit in the width.
func (m *Model) footer(items []footItem) string {
	st := m.styles
	var parts []string
	w := 0
	for _, it := range items {
		p := st.HelpKey.Render(it.key) + " " + st.HelpDesc.Render(it.desc)
		pw := lipgloss.Width(p)
		if w+pw+3 > m.width {
			break
		}
		parts = append(parts, p)
		w += pw + 3
	}
	return strings.Join(parts, st.Faint.Render(" · "))
}

type footItem struct{ key, desc string }

func (m *Model) statusLine() string {
	st := m.styles
	msg := m.status
	if m.run != nil {
		msg = m.spinner.View() + " " + m.run.describe()
	}
	style := st.Status
	switch m.statusKind {
	case statusOK:
		style = st.Pass
	case statusErr:
		style = st.Error
	case statusWarn:
		style = st.Warn
	}
	if m.run != nil {
		style = st.Status
	}
	return style.Render(truncate(firstLine(msg), m.width))
}

func lessonTitle(l *course.Lab) string {
	if l.Lesson != nil && l.Lesson.Title != "" {
		return l.Lesson.Title
	}
	return l.Title
}

// keepHints carries hint counts revealed in memory (and being saved by another Cmd) into a
// state just read from disk, so a reload never hides a hint already shown.
func keepHints(dst, src *workspace.State) {
	for id, ls := range src.Labs {
		for task, n := range ls.Hints {
			d := dst.Lab(id)
			if d.Hints == nil {
				d.Hints = map[string]int{}
			}
			d.Hints[task] = max(d.Hints[task], n)
		}
	}
}
