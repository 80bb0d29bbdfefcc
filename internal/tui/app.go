package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/learnlab/lab/internal/checker"
	"github.com/learnlab/lab/internal/course"
	"github.com/learnlab/lab/internal/theme"
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
	here    string          // lab id of the folder lab was started in, or ""
	ui      *uiState        // reading positions, read with the first progress
	stamp   stateStamp      // of the progress file last read: polled to notice other terminals
	polling bool            // a state poll tick is scheduled

	screen screen
	help   bool
	home   homeModel
	lesson lessonModel

	cache  *renderCache
	inRend map[renderKey]bool // renders in flight

	status     string
	statusKind statusKind
	statusAt   time.Time // when status was set: it is cleared after statusTTL

	run      *checkRun
	runSeq   int
	reports  map[string]*checker.Report // lab id -> last report this session
	reportAt map[string]time.Time       // lab id -> when that report was recorded
	runErr   map[string]string          // lab id -> why its last check could not run
	spinner  spinner.Model
	// coldShown: the results pane was opened once to say why a first (cold cache) check is slow.
	coldShown bool

	watcher  *watch.Watcher
	watchLab *course.Lab
	watchErr string

	quitting   bool
	firstFrame time.Duration
	// announce: the app opened on a lesson (lab start N); once progress is loaded, the status
	// says where that lab's code is.
	announce bool
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
		opts:     opts,
		course:   opts.Course,
		keys:     newKeyMap(),
		now:      opts.Now,
		cache:    newRenderCache(),
		inRend:   map[renderKey]bool{},
		reports:  map[string]*checker.Report{},
		reportAt: map[string]time.Time{},
		runErr:   map[string]string{},
		started:  map[string]bool{},
		state:    &workspace.State{},
		spinner:  spinner.New(spinner.WithSpinner(spinner.MiniDot)),
		width:    80,
		height:   24,
	}
	switch opts.Theme {
	case "light":
		m.themeFixed = true
		m.setStyles(theme.New(false))
	case "dark":
		m.themeFixed = true
		m.setStyles(theme.New(true))
	default:
		// Until the terminal answers the colour query (some never do): colours that read on
		// both backgrounds.
		m.setStyles(theme.Neutral())
	}
	m.home = newHome()
	m.lesson = newLesson()
	if opts.Lab != nil {
		m.screen = screenLesson
		m.lesson.open(opts.Lab, "")
		m.announce = true
	} else {
		l, t := m.continueTarget()
		m.home.selectLab(m, l, t)
	}
	return m
}

func (m *Model) setStyles(p theme.Palette) {
	m.styles = stylesFor(p)
	if m.opts.GlamourStyle != "" {
		m.styles.GlamourStyle = m.opts.GlamourStyle
	}
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
	return tea.Batch(append(cmds, m.pollTick())...)
}

// ---- messages ----

type stateMsg struct {
	ws      *workspace.Workspace
	state   *workspace.State
	started map[string]bool
	here    string // lab id of Options.Dir, when it is inside a lab folder
	stamp   stateStamp
	reports map[string]savedReport // the last report of each lab checked
	ui      *uiState
	err     error
}

// stateStamp tells whether the progress (or the set of started labs) changed on disk: the
// progress file's mtime and size, and the workspace folder's mtime (a lab folder made or
// removed).
type stateStamp struct {
	file, dir time.Time
	size      int64
}

func stampOf(ws *workspace.Workspace) stateStamp {
	var s stateStamp
	if st, err := os.Stat(filepath.Join(ws.Dir, ".lab", "state.json")); err == nil {
		s.file, s.size = st.ModTime(), st.Size()
	}
	if st, err := os.Stat(ws.Dir); err == nil {
		s.dir = st.ModTime()
	}
	return s
}

type forceQuitMsg struct{}

// stateTickMsg: time to look whether another terminal changed the progress.
type stateTickMsg struct{}

// pollEvery is how often the progress file is stat'ed; it is read again only when it changed.
const pollEvery = 1500 * time.Millisecond

// loadState finds the workspace and reads progress, in a Cmd.
func (m *Model) loadState() tea.Cmd {
	find, c, dir := m.opts.Workspace, m.course, m.opts.Dir
	return func() tea.Msg { return readState(find, c, dir, false) }
}

// pollTick schedules the next look at the progress file (one chain of ticks at a time).
func (m *Model) pollTick() tea.Cmd {
	if m.polling || m.opts.Workspace == nil {
		return nil // no progress to poll (and no status to expire: nothing can be checked)
	}
	m.polling = true
	return tea.Tick(pollEvery, func(time.Time) tea.Msg { return stateTickMsg{} })
}

// pollState reloads progress when the file changed since it was last read (`lab check` or
// `lab start` in another terminal), in a Cmd: a stat or two when nothing changed.
func (m *Model) pollState() tea.Cmd {
	find, c, dir, ws, stamp := m.opts.Workspace, m.course, m.opts.Dir, m.ws, m.stamp
	if find == nil {
		return nil
	}
	return func() tea.Msg {
		if ws != nil {
			if stampOf(ws) == stamp {
				return nil
			}
			return readState(func(bool) (*workspace.Workspace, error) { return ws, nil }, c, dir, false)
		}
		if msg := readState(find, c, dir, false); msg.ws != nil {
			return msg // a workspace was made since (lab start in another terminal)
		}
		return nil
	}
}

func readState(find func(bool) (*workspace.Workspace, error), c *course.Course, dir string, create bool) stateMsg {
	if find == nil {
		return stateMsg{state: &workspace.State{}}
	}
	ws, err := find(create)
	if err != nil || ws == nil {
		return stateMsg{state: &workspace.State{}} // no workspace yet: nothing started
	}
	stamp := stampOf(ws) // before reading: a write in between is seen by the next poll
	st, err := ws.Load()
	if st == nil {
		st = &workspace.State{}
	}
	started := map[string]bool{}
	for _, l := range c.Labs {
		started[l.ID] = ws.Started(l.ID)
	}
	here := ""
	if dir != "" {
		if id := ws.LabAt(dir); id != "" && labByID(c, id) != nil {
			here = id
		}
	}
	return stateMsg{ws: ws, state: st, started: started, here: here, stamp: stamp, err: err,
		reports: loadReports(ws, st), ui: loadUI(ws)}
}

func (m *Model) setStatus(kind statusKind, s string) {
	m.status, m.statusKind, m.statusAt = s, kind, m.now()
}

// statusTTL is how long a status message stays: news go stale, a problem is read more slowly.
func statusTTL(k statusKind) time.Duration {
	switch k {
	case statusErr:
		return 5 * time.Minute // a failed check stays in view until the learner acts
	case statusWarn:
		return 30 * time.Second
	}
	return 12 * time.Second
}

// expireStatus clears a status message that has been shown long enough.
func (m *Model) expireStatus() {
	if m.status != "" && m.now().Sub(m.statusAt) >= statusTTL(m.statusKind) {
		m.status = ""
	}
}

// applyState takes progress read from disk.
func (m *Model) applyState(msg stateMsg) {
	if msg.ws != nil {
		m.ws = msg.ws
		m.stamp = msg.stamp
		m.here = msg.here
	}
	if msg.state != nil {
		keepHints(msg.state, m.state)
		m.state = msg.state
		// A check recorded after this session's report (in another terminal) makes the
		// report stale: saved progress is the truth again.
		for id := range m.reports {
			if ls := m.state.Labs[id]; ls != nil && ls.LastCheck.After(m.reportAt[id]) {
				delete(m.reports, id)
				delete(m.reportAt, id)
			}
		}
	}
	if msg.started != nil {
		m.started = msg.started
	}
	m.applyReports(msg.reports)
	if m.ui == nil && msg.ui != nil {
		m.ui = msg.ui // once: later polls must not undo positions of this session
		if m.screen == screenLesson && m.lesson.lab != nil {
			m.placeCursor(m.lesson.lab) // opened before progress was read (lab start N)
		}
	}
	if msg.err != nil {
		m.setStatus(statusWarn, msg.err.Error())
	}
	if l := m.lesson.lab; m.announce && msg.ws != nil && l != nil && m.started[l.ID] && msg.err == nil {
		m.announce = false
		m.setStatus(statusOK, m.codeIsIn(l))
	}
	if m.screen == screenHome && !m.home.moved {
		l, t := m.continueTarget()
		m.home.selectLab(m, l, t)
	}
	if m.screen == screenLesson {
		m.lesson.refreshPane(m)
	}
}

// codeIsIn is the status that says where a started lab's code is, short enough for 80 columns
// when the workspace is near.
func (m *Model) codeIsIn(l *course.Lab) string {
	return fmt.Sprintf("Your code: %s · edit it, c checks · e: how to open it", m.showPath(m.ws.LabDir(l.ID)))
}

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
		m.setStyles(theme.New(msg.IsDark()))
		return m, m.lesson.ensureRendered(m)

	case stateMsg:
		m.applyState(msg)
		return m, nil

	case stateTickMsg:
		m.polling = false
		m.expireStatus()
		return m, tea.Batch(m.pollState(), m.pollTick())

	case tea.FocusMsg:
		return m, m.pollState()

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
		m.refreshRunPane() // the elapsed seconds
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
	if m.screen == screenLesson && m.lesson.search.typing && !m.help && !key.Matches(msg, k.Interrupt) {
		return m.lesson.searchKey(m, msg)
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
	if m.lesson.lab != l && m.run == nil {
		m.status = "" // it was about the lesson left behind
	}
	m.screen = screenLesson
	m.lesson.open(l, taskID)
	return m.lesson.ensureRendered(m)
}

func labByID(c *course.Course, id string) *course.Lab {
	if id == "" {
		return nil
	}
	for _, l := range c.Labs {
		if l.ID == id {
			return l
		}
	}
	return nil
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

// grade is what the app knows of a task: the status of its last check (this session's report,
// else saved progress; "" when never checked) and whether it passed at some earlier check
// although it does not now. Only a task whose last check passed counts as passed.
func (m *Model) grade(lab *course.Lab, taskID string) (s checker.Status, wasPassing bool) {
	var ts *workspace.TaskState
	if ls := m.state.Labs[lab.ID]; ls != nil {
		ts = ls.Tasks[taskID]
	}
	if r := m.taskResult(lab, taskID); r != nil {
		s = r.Status
	} else if ts != nil {
		s = checker.Status(ts.Status)
	}
	return s, s != checker.Pass && ts != nil && ts.PassedOnce
}

// passing counts the lab's tasks whose last check passed.
func (m *Model) passing(l *course.Lab) int {
	n := 0
	for _, t := range l.Tasks {
		if s, _ := m.grade(l, t.ID); s == checker.Pass {
			n++
		}
	}
	return n
}

// done reports whether every task of the lab passes.
func (m *Model) done(l *course.Lab) bool { return len(l.Tasks) > 0 && m.passing(l) == len(l.Tasks) }

// firstUnfinished is the lab's first task that does not pass, or "".
func (m *Model) firstUnfinished(l *course.Lab) string {
	for _, t := range l.Tasks {
		if s, _ := m.grade(l, t.ID); s != checker.Pass {
			return t.ID
		}
	}
	return ""
}

// continueTarget is where "continue" goes, like `lab check` with no argument: the lab whose
// folder lab was started in, else the current lab, while unfinished; a finished one hands over
// to the next unfinished lab after it; else the first unfinished lab. The task is the lab's
// first unfinished one ("" when every lab is done).
func (m *Model) continueTarget() (*course.Lab, string) {
	if len(m.course.Labs) == 0 {
		return nil, ""
	}
	for _, id := range []string{m.here, m.state.Current} {
		if l := labByID(m.course, id); l != nil {
			if t := m.firstUnfinished(l); t != "" {
				return l, t
			}
			if n := m.nextUnfinished(l); n != nil {
				return n, m.firstUnfinished(n)
			}
		}
	}
	for _, l := range m.course.Labs {
		if t := m.firstUnfinished(l); t != "" {
			return l, t
		}
	}
	return m.course.Labs[len(m.course.Labs)-1], "" // all done
}

// nextUnfinished is the first unfinished lab after l in course order (wrapping round), or nil.
func (m *Model) nextUnfinished(l *course.Lab) *course.Lab {
	i, n := m.labIndex(l), len(m.course.Labs)
	for d := 1; d < n; d++ {
		if x := m.course.Labs[(i+d)%n]; m.firstUnfinished(x) != "" {
			return x
		}
	}
	return nil
}

// allDone reports whether every lab passes.
func (m *Model) allDone() bool {
	for _, l := range m.course.Labs {
		if !m.done(l) {
			return false
		}
	}
	return true
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
	v.ReportFocus = true // coming back to the terminal re-reads progress
	v.WindowTitle = "lab"
	if m.screen == screenLesson && m.lesson.lab != nil {
		v.WindowTitle = "lab · " + labTitle(m.lesson.lab)
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
		spin := m.spinner.View() + " "
		msg = spin + m.run.describe(m.now(), m.width-ansi.StringWidth(spin))
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

// labTitle is how the app names a lab, topic first as `lab list` does: "Caching — Product
// catalog over a slow database" (lab.toml's topic and title); the lesson's H1 stays inside the
// rendered lesson.
func labTitle(l *course.Lab) string {
	if h := l.Heading(); h != "" {
		return h
	}
	if l.Lesson != nil {
		return l.Lesson.Title
	}
	return l.ID
}

// labTopic is the lab's topic alone ("Caching"), or its title when lab.toml has no topic.
func labTopic(l *course.Lab) string {
	if l.Topic != "" {
		return l.Topic
	}
	return labTitle(l)
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
