package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"github.com/learnlab/lab/internal/checker"
	"github.com/learnlab/lab/internal/course"
	"github.com/learnlab/lab/internal/workspace"
)

type paneKind int

const (
	paneResults   paneKind = iota // the selected task's tests: messages and the learner's output
	paneHints                     // the hints seen so far for the selected task
	paneWorkspace                 // where the code is and how to open it
)

// paneModel is a scrollable box over the lesson text.
type paneModel struct {
	kind  paneKind
	title string
	body  string
	width int // inner text width
	vp    viewport.Model
}

func newPane(kind paneKind) *paneModel {
	return &paneModel{kind: kind, vp: viewport.New()}
}

func (p *paneModel) resize(g layout) {
	p.width = max(10, g.paneW-4)
	p.vp.SetWidth(p.width)
	p.vp.SetHeight(max(1, g.paneH-2-2)) // border, title and its gap
	p.setBody()
}

func (p *paneModel) setBody() {
	off := p.vp.YOffset()
	var lines []string
	for _, l := range strings.Split(p.body, "\n") {
		// Keep an indent (and the "│ " of quoted output) on wrapped continuation lines.
		rest := strings.TrimLeft(l, " ")
		rest = strings.TrimPrefix(rest, "│ ")
		prefix := l[:len(l)-len(rest)]
		if len(prefix) == 0 || len(prefix) > p.width/2 {
			lines = append(lines, splitLines(wrap(l, p.width))...)
			continue
		}
		for _, w := range splitLines(wrap(rest, p.width-len([]rune(prefix)))) {
			lines = append(lines, prefix+w)
		}
	}
	p.vp.SetContentLines(lines)
	p.vp.SetYOffset(off)
}

func (p *paneModel) view(m *Model, g layout) string {
	st := m.styles
	title := st.PaneTitle.Render(truncate(p.title, p.width-14))
	more := ""
	if p.vp.TotalLineCount() > p.vp.Height() {
		more = st.Faint.Render(fmt.Sprintf("%3.0f%% ↑↓", p.vp.ScrollPercent()*100))
	}
	head := spread(title, more+st.Faint.Render(" esc"), p.width)
	content := head + "\n\n" + p.vp.View()
	return st.Pane.Width(g.paneW).Height(g.paneH).MaxHeight(g.paneH).Render(content)
}

// paneContent builds a pane's title and text for the selected task.
func (m *Model) paneContent(kind paneKind) (string, string) {
	l := &m.lesson
	lab := l.lab
	t := l.selectedTask()
	switch kind {
	case paneWorkspace:
		return "Your code", m.workspaceText()
	case paneHints:
		if t == nil {
			return "Hints", "This lab has no tasks."
		}
		shown := m.hintsShown(lab, t.ID)
		var b strings.Builder
		if len(t.Hints) == 0 {
			b.WriteString("This task has no hints. Re-read its section of the lesson (enter jumps there).")
		}
		for i := 0; i < shown && i < len(t.Hints); i++ {
			fmt.Fprintf(&b, "%d. %s\n\n", i+1, t.Hints[i])
		}
		switch {
		case len(t.Hints) == 0:
		case shown < len(t.Hints):
			fmt.Fprintf(&b, "Press h for the next hint (%d more).", len(t.Hints)-shown)
		default:
			b.WriteString("That was the last hint. The lesson section (enter) has the rest.")
		}
		return fmt.Sprintf("Hints · %s (%d/%d)", t.Title, min(shown, len(t.Hints)), len(t.Hints)), b.String()
	}
	// Results.
	rep := m.reports[lab.ID]
	if t == nil {
		return "Results", "This lab has no tasks."
	}
	title := "Results · " + t.Title
	if m.run != nil && m.run.lab == lab {
		return title, m.run.progressText(m.now(), m.spinner.View())
	}
	if e := m.runErr[lab.ID]; e != "" {
		return title, "The last check could not run:\n\n" + e + "\n\nPress c to try again."
	}
	if rep == nil {
		return title, "No check yet. Press c to check your code (w checks it on every save)."
	}
	var b strings.Builder
	if rep.Status == checker.Error || rep.Status == checker.Timeout {
		if rep.Message != "" {
			b.WriteString(rep.Message + "\n\n")
		}
		if rep.Build != "" {
			b.WriteString("Compiler output:\n" + rep.Build + "\n\n")
		}
	}
	r := m.taskResult(lab, t.ID)
	if r == nil {
		b.WriteString("The last check did not grade this task.")
		return title, b.String()
	}
	fmt.Fprintf(&b, "Task %s: %s\n", r.ID, strings.ToUpper(string(r.Status)))
	// The task's message is its first failing test's: print it only when no test says it, so
	// each failure shows once (rows are scarce at 80x24).
	if r.Message != "" && r.Status != checker.Pass && !testSays(r.Tests, r.Message) {
		b.WriteString(r.Message + "\n")
	}
	for _, tr := range r.Tests {
		fmt.Fprintf(&b, "\n%s %s (%v)\n", plainMark(tr.Status), tr.Name, tr.Elapsed.Round(1e6))
		if tr.Message != "" {
			b.WriteString(indent(strings.TrimRight(tr.Message, "\n"), "    ") + "\n")
		}
		if tr.Output != "" && tr.Status != checker.Pass {
			b.WriteString("  Your program printed:\n" + indent(strings.TrimRight(tr.Output, "\n"), "    │ ") + "\n")
			if tr.Truncated {
				b.WriteString("    (output cut: it was too long)\n")
			}
		}
	}
	if r.Status != checker.Pass && t != nil && len(t.Hints) > 0 {
		b.WriteString("\nStuck? h shows a hint.")
	}
	return title, b.String()
}

func testSays(tests []checker.TestResult, msg string) bool {
	msg = strings.TrimSpace(msg)
	for _, t := range tests {
		if strings.Contains(t.Message, msg) {
			return true
		}
	}
	return false
}

func plainMark(s checker.Status) string {
	switch s {
	case checker.Pass:
		return "✓"
	case checker.Fail:
		return "✗"
	case checker.Timeout:
		return "⧖"
	}
	return "!"
}

func indent(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i := range lines {
		lines[i] = prefix + lines[i]
	}
	return strings.Join(lines, "\n")
}

func splitLines(s string) []string { return strings.Split(s, "\n") }

func (m *Model) workspaceText() string {
	lab := m.lesson.lab
	if m.ws == nil || !m.started[lab.ID] {
		return fmt.Sprintf("%s is not started yet.\n\nPress s to copy the starter code into your workspace, or run:\n\n    lab start %d", lab.ID, lab.Number)
	}
	dir := m.ws.LabDir(lab.ID)
	ed := m.opts.Editor
	open := fmt.Sprintf("$EDITOR %s", shellQuote(dir))
	if ed != "" {
		open = fmt.Sprintf("%s %s", ed, shellQuote(dir))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Your code for %s is in:\n\n    %s\n\n", lab.ID, dir)
	fmt.Fprintf(&b, "Open it in your editor (in another terminal):\n\n    %s\n\n", open)
	if ed == "" {
		b.WriteString("($EDITOR is not set: use your editor's name, like code, vim or nano.)\n\n")
	}
	if len(lab.Services) > 0 {
		// go run . needs the lab's services and their URLs in the environment, as the check has.
		fmt.Fprintf(&b, "Run the service yourself (%s first, then its URLs, then your code):\n\n", strings.Join(lab.Services, " and "))
		fmt.Fprintf(&b, "    lab services up %d\n    eval \"$(lab services env %d)\"\n    cd %s && go run .\n\n", lab.Number, lab.Number, shellQuote(dir))
	} else {
		fmt.Fprintf(&b, "Run the service yourself:\n\n    cd %s && go run .\n\n", shellQuote(dir))
	}
	fmt.Fprintf(&b, "Check from a terminal:  lab check %d    ·  re-check on save:  lab watch %d", lab.Number, lab.Number)
	return b.String()
}

func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t'\"$\\&;|<>()*?[]#~`!{}") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// ---- hints ----

type hintSavedMsg struct{ err error }

func (m *Model) hintsShown(lab *course.Lab, taskID string) int {
	if ls := m.state.Labs[lab.ID]; ls != nil {
		return ls.Hints[taskID]
	}
	return 0
}

// nextHint opens the hints pane; when it is already open (or no hint was seen yet) it reveals
// the next hint, one at a time, and saves how many were seen.
func (m *Model) nextHint() tea.Cmd {
	l := &m.lesson
	t := l.selectedTask()
	if t == nil {
		return nil
	}
	shown := m.hintsShown(l.lab, t.ID)
	reveal := shown == 0 || (l.pane != nil && l.pane.kind == paneHints)
	var cmd tea.Cmd
	if reveal && shown < len(t.Hints) {
		shown++
		ls := m.state.Lab(l.lab.ID)
		if ls.Hints == nil {
			ls.Hints = map[string]int{}
		}
		ls.Hints[t.ID] = shown
		if ws := m.ws; ws != nil {
			labID, taskID, n := l.lab.ID, t.ID, shown
			cmd = func() tea.Msg {
				return hintSavedMsg{err: ws.Update(func(s *workspace.State) error {
					ls := s.Lab(labID)
					if ls.Hints == nil {
						ls.Hints = map[string]int{}
					}
					ls.Hints[taskID] = max(ls.Hints[taskID], n)
					return nil
				})}
			}
		}
	}
	if l.pane == nil || l.pane.kind != paneHints {
		l.openPane(m, paneHints)
	} else {
		l.refreshPane(m)
		l.pane.vp.GotoBottom()
	}
	return cmd
}
