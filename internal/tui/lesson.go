package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/learnlab/lab/internal/course"
)

// lessonModel shows a lesson in a viewport beside (or above) its task panel, with an optional
// pane (results, hints, workspace) over the lesson text.
type lessonModel struct {
	lab   *course.Lab
	vp    viewport.Model
	sel   int       // selected task
	shown renderKey // what the viewport holds; zero when nothing yet
	padH  int       // the viewport height its end padding was made for
	jump  string    // task whose section to scroll to once rendered
	// restore is the reading position (a fraction of the lines) to scroll to when the lesson is
	// first shown: where the learner left it last time.
	restore float64
	pane    *paneModel
	// search is `/` in the lesson text.
	search searchState
	// tasksToggled: t changed the task panel from its default: unfolded on a narrow screen
	// (folded, it takes two rows so the lesson gets the rest), hidden on a side-by-side one.
	tasksToggled bool
}

func newLesson() lessonModel {
	return lessonModel{vp: viewport.New()}
}

type renderedMsg struct {
	key renderKey
	r   *rendered
	err error
}

// renderReqMsg asks for a render after a resize settles.
type renderReqMsg struct{ key renderKey }

func (l *lessonModel) open(lab *course.Lab, taskID string) {
	if l.lab != lab {
		l.pane = nil
		l.sel = 0
		l.restore = 0
		l.search = searchState{}
		l.shown = renderKey{}
		l.vp.SetContent("")
		l.vp.SetYOffset(0)
	}
	l.lab = lab
	l.jump = taskID
	for i, t := range lab.Tasks {
		if t.ID == taskID {
			l.sel = i
		}
	}
}

// layout is the geometry of the lesson screen. Three shapes:
//   - narrow (< 100 columns): the lesson above a folded task line (two rows); t unfolds the
//     task list in a box. A pane (results, hints, code) covers the lesson.
//   - side (100-159): the lesson beside the task panel; t hides the panel. A pane covers the
//     lesson.
//   - wide (160+): the lesson at a readable measure on the left; on the right the task list
//     and, below it, the pane, so results and the lesson are read side by side.
type layout struct {
	side      bool // task panel beside the lesson
	folded    bool // narrow: the task panel is two unboxed lines
	hidden    bool // side: the task panel is hidden (t)
	wide      bool // the pane sits under the task panel instead of over the lesson
	vpW, vpH  int  // lesson viewport
	panelW    int  // outer width of the task panel
	panelH    int  // outer height of the task panel
	panelRows int  // lines of task rows that fit (a long title takes more than one)
	paneW     int  // outer size of the pane
	paneH     int
	bodyH     int
}

// wideAt is the width from which the pane moves beside the lesson.
const wideAt = 160

func (l *lessonModel) layout(m *Model) layout {
	const chrome = 3 // header, status, footer
	var g layout
	g.bodyH = max(4, m.height-chrome)
	switch {
	case m.width >= wideAt:
		g.side, g.wide = true, true
		g.vpW = min(maxProse+2, m.width*11/20)
		g.vpH = g.bodyH
		g.panelW = m.width - g.vpW - 1
		need := l.taskLineCount(m, g.panelW-4)
		g.panelRows = max(1, min(need, g.bodyH-2-1-4))
		g.panelH = g.bodyH
		if l.pane != nil {
			// Tasks on top, as tall as they need (up to half), the pane below.
			g.panelRows = max(1, min(need, g.bodyH/2-2-1-2))
			g.panelH = g.panelRows + 2 + 1 + 2
			g.paneW, g.paneH = g.panelW, g.bodyH-g.panelH
		}
		return g
	case m.width >= 100:
		g.side = true
		g.hidden = l.tasksToggled
		g.panelW = min(48, max(34, m.width/3))
		if g.hidden {
			g.panelW = 0
		}
		g.vpW = m.width - g.panelW - 1
		if g.hidden {
			g.vpW = m.width
		}
		g.vpH = g.bodyH
		g.panelH = g.bodyH
		g.panelRows = max(1, min(l.taskLineCount(m, g.panelW-4), g.bodyH-2-1-4))
		g.paneW, g.paneH = g.vpW, g.vpH
		return g
	}
	g.panelW = m.width
	g.vpW = m.width
	if !l.tasksToggled {
		g.folded = true
		g.panelH = 2
	} else {
		g.panelRows = max(1, min(l.taskLineCount(m, g.panelW-4), max(3, g.bodyH/3)))
		g.panelH = g.panelRows + 2 /*border*/ + 1 /*title*/ + 1 /*detail*/
	}
	g.vpH = max(3, g.bodyH-g.panelH)
	g.paneW, g.paneH = g.vpW, g.vpH
	return g
}

// maxProse caps the lesson's line length: long lines are hard to read on wide terminals.
const maxProse = 100

func (l *lessonModel) key(m *Model) renderKey {
	if l.lab == nil {
		return renderKey{}
	}
	return renderKey{Lab: l.lab.ID, Width: min(l.layout(m).vpW-1, maxProse), Style: m.styles.GlamourStyle}
}

// resize applies the window size; a lesson not rendered for the new width is rendered after
// the resize settles, showing the old rendering meanwhile.
func (l *lessonModel) resize(m *Model) tea.Cmd {
	g := l.layout(m)
	l.vp.SetWidth(g.vpW)
	l.vp.SetHeight(g.vpH)
	if l.pane != nil {
		l.pane.resize(g)
	}
	if l.lab == nil || m.screen != screenLesson {
		return nil
	}
	k := l.key(m)
	if r := m.cache.get(k); r != nil {
		l.show(m, k, r)
		return nil
	}
	if l.shown == (renderKey{}) {
		return l.ensureRendered(m) // first size: render now
	}
	return tea.Tick(80*time.Millisecond, func(time.Time) tea.Msg { return renderReqMsg{k} })
}

func (l *lessonModel) renderRequested(m *Model, msg renderReqMsg) tea.Cmd {
	if msg.key != l.key(m) {
		return nil // resized again since
	}
	return l.ensureRendered(m)
}

// ensureRendered shows the lesson from the cache, or starts rendering it in a Cmd.
func (l *lessonModel) ensureRendered(m *Model) tea.Cmd {
	if l.lab == nil || l.lab.Lesson == nil {
		return nil
	}
	g := l.layout(m)
	l.vp.SetWidth(g.vpW)
	l.vp.SetHeight(g.vpH)
	k := l.key(m)
	if r := m.cache.get(k); r != nil {
		l.show(m, k, r)
		return l.prefetch(m)
	}
	return m.renderCmd(l.lab, k)
}

func (m *Model) renderCmd(lab *course.Lab, k renderKey) tea.Cmd {
	if m.inRend[k] || lab.Lesson == nil {
		return nil
	}
	m.inRend[k] = true
	lesson := lab.Lesson
	return func() tea.Msg {
		r, err := renderLesson(lesson, k.Width, k.Style)
		return renderedMsg{key: k, r: r, err: err}
	}
}

// prefetch renders the other lessons for the same width and style, nearest first and one at
// a time (each render is a Cmd), so switching lessons finds them in the cache. A long lesson
// with code takes 100+ ms to render; from the cache a switch takes a couple of milliseconds.
func (l *lessonModel) prefetch(m *Model) tea.Cmd {
	i := m.labIndex(l.lab)
	n := len(m.course.Labs)
	for d := 1; d < n; d++ {
		for _, j := range []int{i + d, i - d} {
			if j < 0 || j >= n {
				continue
			}
			lab := m.course.Labs[j]
			k := renderKey{Lab: lab.ID, Width: l.key(m).Width, Style: m.styles.GlamourStyle}
			if m.inRend[k] {
				return nil // one at a time
			}
			if m.cache.get(k) == nil {
				return m.renderCmd(lab, k)
			}
		}
	}
	return nil
}

func (l *lessonModel) rendered(m *Model, msg renderedMsg) tea.Cmd {
	delete(m.inRend, msg.key)
	if msg.err != nil {
		if l.lab != nil && msg.key.Lab == l.lab.ID {
			l.vp.SetContent(m.styles.Error.Render("Could not render this lesson: " + msg.err.Error()))
		}
		return nil
	}
	m.cache.put(msg.key, msg.r)
	if l.lab != nil && m.screen == screenLesson && msg.key == l.key(m) {
		l.show(m, msg.key, msg.r)
	}
	if l.lab != nil && m.screen == screenLesson {
		return l.prefetch(m)
	}
	return nil
}

// show puts a rendering in the viewport, keeping the reading position across re-renders.
func (l *lessonModel) show(m *Model, k renderKey, r *rendered) {
	if l.shown == k && l.padH == l.vp.Height() {
		l.applyJump(r)
		return
	}
	frac := 0.0
	sameLesson := l.shown.Lab == k.Lab && l.shown != (renderKey{})
	if sameLesson && l.vp.TotalLineCount() > 0 {
		frac = float64(l.vp.YOffset()) / float64(l.vp.TotalLineCount())
	}
	// Blank lines after the end let every section's heading scroll to the top.
	l.padH = l.vp.Height()
	l.vp.SetContent(r.Content + strings.Repeat("\n", max(0, l.padH-3)))
	l.shown = k
	if sameLesson {
		l.vp.SetYOffset(int(frac * float64(r.Lines)))
	} else {
		l.vp.SetYOffset(int(l.restore * float64(r.Lines)))
		l.restore = 0
	}
	l.applyJump(r)
}

func (l *lessonModel) applyJump(r *rendered) {
	if l.jump == "" {
		return
	}
	if line, ok := r.Sections[l.jump]; ok {
		l.vp.SetYOffset(max(0, line-1))
	}
	l.jump = ""
}

// jumpTo scrolls to the selected task's section.
func (l *lessonModel) jumpTo(m *Model) {
	if l.lab == nil || len(l.lab.Tasks) == 0 {
		return
	}
	l.jump = l.lab.Tasks[l.sel].ID
	if r := m.cache.get(l.shown); r != nil {
		l.applyJump(r)
	}
}

func (l *lessonModel) selectedTask() *course.Task {
	if l.lab == nil || l.sel < 0 || l.sel >= len(l.lab.Tasks) {
		return nil
	}
	return &l.lab.Tasks[l.sel]
}

func (l *lessonModel) update(m *Model, msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	// The pane, when open, scrolls with the movement keys.
	scroll := &l.vp
	if l.pane != nil {
		scroll = &l.pane.vp
	}
	if l.search.query != "" && l.pane == nil {
		switch {
		case key.Matches(msg, k.SearchNext):
			l.step(1)
			return nil
		case key.Matches(msg, k.SearchPrev):
			l.step(-1)
			return nil
		case key.Matches(msg, k.Back):
			l.search = searchState{}
			return nil
		}
	}
	switch {
	case key.Matches(msg, k.Search):
		l.pane = nil // the search is in the lesson text
		l.search = searchState{typing: true}
		return nil
	case key.Matches(msg, k.Tasks):
		l.tasksToggled = !l.tasksToggled
		return l.resize(m)
	case key.Matches(msg, k.Back):
		if l.pane != nil {
			l.pane = nil
			return nil
		}
		save := m.remember()
		m.screen = screenHome
		m.home.selectLab(m, l.lab, "")
		m.home.moved = true                   // stay on the lab just left
		return tea.Batch(save, m.loadState()) // the home's counts and "continue" as they are now

	case key.Matches(msg, k.Up):
		scroll.ScrollUp(1)
	case key.Matches(msg, k.Down):
		scroll.ScrollDown(1)
	case key.Matches(msg, k.PageUp):
		scroll.PageUp()
	case key.Matches(msg, k.PageDown):
		scroll.PageDown()
	case key.Matches(msg, k.HalfUp):
		scroll.HalfPageUp()
	case key.Matches(msg, k.HalfDown):
		scroll.HalfPageDown()
	case key.Matches(msg, k.Top):
		scroll.GotoTop()
	case key.Matches(msg, k.Bottom):
		scroll.GotoBottom()
	case key.Matches(msg, k.NextTask), key.Matches(msg, k.PrevTask):
		if l.lab == nil || len(l.lab.Tasks) == 0 {
			return nil
		}
		n := len(l.lab.Tasks)
		if key.Matches(msg, k.NextTask) {
			l.sel = (l.sel + 1) % n
		} else {
			l.sel = (l.sel + n - 1) % n
		}
		l.jumpTo(m)
		l.refreshPane(m)
		if l.pane != nil {
			l.pane.vp.GotoTop() // another task's results start at their beginning
		}
	case key.Matches(msg, k.Jump):
		l.jumpTo(m)
	case key.Matches(msg, k.NextLesson), key.Matches(msg, k.PrevLesson):
		i := m.labIndex(l.lab)
		if key.Matches(msg, k.NextLesson) {
			i++
		} else {
			i--
		}
		if i < 0 || i >= len(m.course.Labs) {
			return nil
		}
		return m.resume(m.course.Labs[i])
	case key.Matches(msg, k.Check):
		return m.startCheck(l.lab)
	case key.Matches(msg, k.Cancel):
		if m.run != nil {
			m.cancelCheck()
		}
	case key.Matches(msg, k.Results):
		if l.pane != nil && l.pane.kind == paneResults {
			l.pane = nil
			return nil
		}
		l.openPane(m, paneResults)
	case key.Matches(msg, k.Hint):
		return m.nextHint()
	case key.Matches(msg, k.Workspace):
		if l.pane != nil && l.pane.kind == paneWorkspace {
			l.pane = nil
			return nil
		}
		l.openPane(m, paneWorkspace)
	case key.Matches(msg, k.Watch):
		return m.toggleWatch(l.lab)
	case key.Matches(msg, k.Start):
		return m.startLab(l.lab)
	}
	return nil
}

func (l *lessonModel) openPane(m *Model, kind paneKind) {
	l.pane = newPane(kind)
	l.pane.resize(l.layout(m)) // the layout depends on whether a pane is open
	l.refreshPane(m)
}

func (l *lessonModel) refreshPane(m *Model) {
	if l.pane == nil {
		return
	}
	l.pane.title, l.pane.body = m.paneContent(l.pane.kind)
	l.pane.setBody()
}

// ---- view ----

func (l *lessonModel) view(m *Model) string {
	st := m.styles
	if l.lab == nil {
		return m.frame("")
	}
	g := l.layout(m)

	// Header: lesson, position, watch badge.
	left := st.Title.Render("lab") + " " + st.Header.Render(fmt.Sprintf("%02d · %s", l.lab.Number, labTitle(l.lab)))
	var right []string
	if m.watcher != nil && m.watchLab != nil {
		badge := "watching"
		if m.watcher.Mode != "notify" {
			badge = "watching (polling)"
		}
		if m.watchLab != l.lab {
			badge += " " + m.watchLab.ID
		}
		right = append(right, st.Badge.Render(badge))
	}
	// Where the reader is in the lesson text (not progress on the lab).
	right = append(right, st.Faint.Render(fmt.Sprintf("%.0f%% read", l.vp.ScrollPercent()*100)))
	header := spread(left, strings.Join(right, " "), m.width)

	// Body.
	main := l.lessonView(m, g)
	if l.pane != nil && !g.wide {
		main = l.pane.view(m, g)
	}
	panel := l.panelView(m, g)
	var body string
	switch {
	case g.wide:
		lesson := fitBlock(l.lessonView(m, g), g.vpW, g.vpH)
		right := panel
		if l.pane != nil {
			right = lipgloss.JoinVertical(lipgloss.Left, panel, l.pane.view(m, g))
		}
		body = lipgloss.JoinHorizontal(lipgloss.Top, lesson, " ", right)
	case g.hidden:
		body = fitBlock(main, g.vpW, g.vpH)
	case g.side:
		body = lipgloss.JoinHorizontal(lipgloss.Top, fitBlock(main, g.vpW, g.vpH), " ", panel)
	default:
		body = lipgloss.JoinVertical(lipgloss.Left, fitBlock(main, g.vpW, g.vpH), panel)
	}

	footer := m.footer([]footItem{{"n/p", "task"}, {"c", "check"}, {"o", "results"}, {"h", "hint"},
		{"w", "watch"}, {"e", "code"}, {"/", "search"}, {"t", "tasks"}, {"esc", "back"}, {"?", "help"}})
	if l.search.active() {
		footer = l.searchFooter(m)
	}
	return m.frame(header + "\n" + body + "\n" + m.statusLine() + "\n" + footer)
}

// lessonView is the lesson text (with search matches marked), or a word while it renders.
func (l *lessonModel) lessonView(m *Model, g layout) string {
	if l.shown == (renderKey{}) {
		return lipgloss.NewStyle().Width(g.vpW).Height(g.vpH).Render(m.styles.Subtle.Render("  Rendering the lesson…"))
	}
	return l.highlight(m, l.vp.View())
}

// taskRows are the task list's rows, each task on as many lines as its title needs: a cursor
// on the selected one, its status mark, the title wrapped to w cells, and "(was passing)" for a
// task that passed before but fails now.
func (l *lessonModel) taskRows(m *Model, w int, styled bool) [][]string {
	if l.lab == nil {
		return nil
	}
	st := m.styles
	rows := make([][]string, 0, len(l.lab.Tasks))
	for i, t := range l.lab.Tasks {
		text := t.Title
		if text == "" {
			text = t.ID
		}
		mark, was := " ", false
		if styled {
			mark, was = m.taskMark(l.lab, t.ID)
		} else {
			_, was = m.grade(l.lab, t.ID)
		}
		if was {
			text += " (was passing)"
		}
		const prefix = 4 // cursor, space, mark, space
		lines := splitLines(wrap(text, w-prefix))
		if !styled {
			rows = append(rows, lines)
			continue
		}
		sel := i == l.sel
		for j, line := range lines {
			lead := "    "
			if j == 0 {
				lead = "  " + mark + " "
				if sel {
					lead = st.Match.Render("›") + " " + mark + " "
				}
			}
			if sel {
				line = st.Selected.Render(pad(line, w-prefix))
			} else if was {
				line = st.Warn.Render(line)
			}
			lines[j] = lead + line
		}
		rows = append(rows, lines)
	}
	return rows
}

// taskLineCount is how many lines the task rows take at inner width w.
func (l *lessonModel) taskLineCount(m *Model, w int) int {
	n := 0
	for _, r := range l.taskRows(m, w, false) {
		n += len(r)
	}
	return n
}

// panelView is the task list with statuses, and a few lines about the selected task.
func (l *lessonModel) panelView(m *Model, g layout) string {
	st := m.styles
	if g.hidden {
		return ""
	}
	if g.folded {
		return l.foldedPanel(m, g)
	}
	inner := g.panelW - 4 // border and padding
	tasks := l.lab.Tasks
	passed := m.passing(l.lab)
	rows := l.taskRows(m, inner, true)

	// Scroll whole rows to keep the selected one in view.
	top := 0
	used := func(from, to int) int {
		n := 0
		for i := from; i <= to && i < len(rows); i++ {
			n += len(rows[i])
		}
		return n
	}
	for top < l.sel && used(top, l.sel) > g.panelRows {
		top++
	}
	var list []string
	end := top
	for ; end < len(rows); end++ {
		if len(list)+len(rows[end]) > g.panelRows && end > top {
			break
		}
		list = append(list, rows[end]...)
	}
	if len(list) > g.panelRows {
		list = list[:g.panelRows]
	}
	title := st.PanelTitle.Render("Tasks") + st.Subtle.Render(fmt.Sprintf("  %d/%d pass", passed, len(tasks)))
	if top > 0 || end < len(rows) {
		title += st.Faint.Render("  ↕ n/p")
	}
	lines := append([]string{truncate(title, inner)}, list...)

	// Detail of the selected task.
	var detail []string
	if t := l.selectedTask(); t != nil {
		detail = m.taskDetail(l.lab, t, inner, !g.side)
	}
	if !g.side {
		if len(detail) > 1 {
			detail = detail[:1]
		}
	} else {
		room := g.panelH - 2 - len(lines) - 1
		if len(detail) > room {
			detail = detail[:max(0, room)]
		}
		if len(detail) > 0 {
			lines = append(lines, "")
		}
	}
	lines = append(lines, detail...)
	h := g.panelH - 2
	for len(lines) < h {
		lines = append(lines, "")
	}
	if len(lines) > h {
		lines = lines[:h]
	}
	return st.Panel.Width(g.panelW).Render(strings.Join(lines, "\n"))
}

// foldedPanel is the task panel in two lines under the lesson (narrow screens): a rule with
// the count, then the selected task, its mark and state.
func (l *lessonModel) foldedPanel(m *Model, g layout) string {
	st := m.styles
	head := st.PanelTitle.Render("Tasks") + st.Subtle.Render(fmt.Sprintf(" %d/%d pass", m.passing(l.lab), len(l.lab.Tasks)))
	keys := st.Faint.Render(" n/p next · t all tasks ")
	rule := g.panelW - lipgloss.Width(head) - lipgloss.Width(keys) - 3
	line1 := st.Faint.Render("─ ") + head + " " + st.Faint.Render(strings.Repeat("─", max(0, rule))) + keys
	t := l.selectedTask()
	if t == nil {
		return truncate(line1, g.panelW) + "\n"
	}
	mark, _ := m.taskMark(l.lab, t.ID)
	line2 := st.Match.Render("›") + " " + mark + " " + st.Header.Render(t.Title)
	if d := m.taskDetail(l.lab, t, g.panelW, true); len(d) > 0 {
		line2 += st.Faint.Render(" · ") + d[0]
	}
	return truncate(line1, g.panelW) + "\n" + truncate(line2, g.panelW)
}
