package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/learnlab/lab/internal/course"
)

// homeModel is the list of lessons with progress, "continue", and a filter.
type homeModel struct {
	cursor int    // index into the filtered list
	query  string // the filter
	typing bool   // the filter is being typed
	moved  bool   // the learner moved the cursor: progress loading must not move it back
	top    int    // first visible row
}

func newHome() homeModel { return homeModel{} }

// visible is the filtered list of labs.
func (h *homeModel) visible(m *Model) []*course.Lab {
	if h.query == "" {
		return m.course.Labs
	}
	q := strings.ToLower(h.query)
	var out []*course.Lab
	for _, l := range m.course.Labs {
		hay := strings.ToLower(fmt.Sprintf("%02d %d %s %s %s %s", l.Number, l.Number, l.ID, l.Title, lessonH1(l), strings.Join(l.Services, " ")))
		if strings.Contains(hay, q) {
			out = append(out, l)
		}
	}
	return out
}

func (h *homeModel) selected(m *Model) *course.Lab {
	v := h.visible(m)
	if h.cursor < 0 || h.cursor >= len(v) {
		return nil
	}
	return v[h.cursor]
}

func (h *homeModel) selectLab(m *Model, l *course.Lab, _ string) {
	for i, x := range h.visible(m) {
		if x == l {
			h.cursor = i
		}
	}
}

func (h *homeModel) update(m *Model, msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	n := len(h.visible(m))
	if h.typing {
		switch msg.String() {
		case "esc":
			h.typing, h.query, h.cursor = false, "", 0
		case "enter":
			h.typing = false
			if l := h.selected(m); l != nil && n == 1 {
				return m.resume(l)
			}
		case "backspace":
			if r := []rune(h.query); len(r) > 0 {
				h.query = string(r[:len(r)-1])
			}
			h.cursor = 0
		case "up", "ctrl+p":
			h.cursor = max(0, h.cursor-1)
		case "down", "ctrl+n":
			h.cursor = min(max(0, n-1), h.cursor+1)
		default:
			if msg.Text != "" {
				h.query += msg.Text
				h.cursor = 0
			}
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Up):
		h.cursor, h.moved = max(0, h.cursor-1), true
	case key.Matches(msg, k.Down):
		h.cursor, h.moved = min(max(0, n-1), h.cursor+1), true
	case key.Matches(msg, k.Top):
		h.cursor, h.moved = 0, true
	case key.Matches(msg, k.Bottom):
		h.cursor, h.moved = max(0, n-1), true
	case key.Matches(msg, k.Filter):
		h.typing = true
	case key.Matches(msg, k.ClearFilter):
		h.query, h.cursor = "", 0
	case key.Matches(msg, k.Continue):
		if l, _ := m.continueTarget(); l != nil {
			return m.resume(l)
		}
	case key.Matches(msg, k.Open):
		if l := h.selected(m); l != nil {
			return m.resume(l)
		}
	case key.Matches(msg, k.Check):
		// c checks inside a lesson; here it would have to guess which lab.
		m.setStatus(statusInfo, "c checks a lab from its lesson: enter opens the selected one, r resumes where you left off")
	}
	return nil
}

func (h *homeModel) view(m *Model) string {
	st := m.styles
	w := m.width
	var b strings.Builder

	// Header: name and overall progress.
	done, total := 0, len(m.course.Labs)
	for _, l := range m.course.Labs {
		if m.done(l) {
			done++
		}
	}
	left := st.Title.Render("lab") + st.Subtle.Render(" · back-end engineering in Go")
	right := st.Subtle.Render(fmt.Sprintf("%d/%d lessons done", done, total))
	b.WriteString(spread(left, right, homeWidth(m)) + "\n\n")

	// Continue.
	if l, task := m.continueTarget(); l != nil {
		line := fmt.Sprintf("→ Continue: %02d %s", l.Number, labTitle(l))
		switch {
		case task != "":
			line += " — task " + task
		case m.allDone():
			line = "✓ Every lesson is done. Revisit any of them below."
		default:
			line += " — every task passes"
		}
		b.WriteString(st.Continue.Render(truncate(line, w-12)) + st.Faint.Render("  (r)") + "\n")
	}

	// Filter.
	switch {
	case h.typing:
		b.WriteString(st.Match.Render("/ "+h.query) + st.Match.Render("▏") + "\n")
	case h.query != "":
		b.WriteString(st.Subtle.Render("filter: ") + st.Match.Render(h.query) + st.Faint.Render("  (esc clears)") + "\n")
	default:
		b.WriteString("\n")
	}

	// List.
	labs := h.visible(m)
	const chrome = 1 + 1 + 1 + 1 + 3 + 1 // header, blank, continue, filter, detail, footer
	rows := max(1, m.height-chrome)
	if h.cursor < h.top {
		h.top = h.cursor
	}
	if h.cursor >= h.top+rows {
		h.top = h.cursor - rows + 1
	}
	h.top = max(0, min(h.top, max(0, len(labs)-rows)))
	if len(labs) == 0 {
		b.WriteString(st.Subtle.Render("  No lesson matches. Esc clears the filter.") + "\n")
		rows--
	}
	// A tall screen has room for each lesson's summary under its title.
	tall := len(labs) > 0 && 2*len(labs) <= rows
	used := 0
	for i := h.top; i < len(labs) && used < rows; i++ {
		b.WriteString(h.row(m, labs[i], i == h.cursor) + "\n")
		used++
		if tall {
			b.WriteString("      " + st.Faint.Render(truncate(labs[i].Summary, homeWidth(m)-8)) + "\n")
			used++
		}
	}
	for ; used < rows; used++ {
		b.WriteString("\n")
	}

	// Detail of the selected lesson.
	var detail []string
	if l := h.selected(m); l != nil {
		sum := l.Summary
		if sum == "" {
			sum = l.Title
		}
		detail = append(detail, st.Subtle.Render(truncate(sum, w)))
		var facts []string
		if m.started[l.ID] && m.ws != nil {
			facts = append(facts, "code in "+m.ws.LabDir(l.ID))
		} else {
			facts = append(facts, "not started")
		}
		facts = append(facts, fmt.Sprintf("%d tasks", len(l.Tasks)))
		detail = append(detail, st.Faint.Render(truncate(strings.Join(facts, " · "), w)))
	}
	for len(detail) < 2 {
		detail = append(detail, "")
	}
	b.WriteString(m.statusLine() + "\n" + strings.Join(detail, "\n") + "\n")

	if h.typing {
		b.WriteString(m.footer([]footItem{{"type", "to filter"}, {"enter", "keep"}, {"esc", "clear"}, {"↑/↓", "move"}}))
	} else {
		b.WriteString(m.footer([]footItem{{"↑/↓", "move"}, {"enter", "open"}, {"r", "resume"}, {"/", "filter"}, {"?", "help"}, {"q", "quit"}}))
	}
	return m.frame(b.String())
}

// row is one lesson: number, title, services, progress and a done mark.
func (h *homeModel) row(m *Model, l *course.Lab, sel bool) string {
	st := m.styles
	w := homeWidth(m)
	passed, total := m.passing(l), len(l.Tasks)
	mark := " "
	switch {
	case total > 0 && passed == total:
		mark = st.Pass.Render("✓")
	case m.started[l.ID] || passed > 0:
		mark = st.Warn.Render("•")
	}
	prog := fmt.Sprintf("%d/%d", passed, total)
	svc := strings.Join(l.Services, ", ")
	if svc == "" {
		svc = "—"
	}
	svcW := 16
	if w < 64 {
		svcW = 0
	}
	titleW := max(8, w-2-4-svcW-8)
	cursor := "  "
	if sel {
		cursor = st.Match.Render("› ")
	}
	title := pad(labTitle(l), titleW)
	num := fmt.Sprintf("%02d  ", l.Number)
	var line string
	if sel {
		line = cursor + st.Selected.Render(num+title)
	} else {
		line = cursor + st.Number.Render(num) + title
	}
	if svcW > 0 {
		line += st.Subtle.Render(pad(svc, svcW))
	}
	line += st.Subtle.Render(fmt.Sprintf("%5s ", prog)) + mark
	return line
}

func lessonH1(l *course.Lab) string {
	if l.Lesson != nil {
		return l.Lesson.Title
	}
	return ""
}

// homeWidth is how wide the lessons list is drawn: the screen, up to a width where the columns
// still read as rows.
func homeWidth(m *Model) int { return min(m.width, 150) }

// spread puts left and right on one line of width w.
func spread(left, right string, w int) string {
	gap := w - lipglossWidth(left) - lipglossWidth(right)
	if gap < 1 {
		return truncate(left, w)
	}
	return left + strings.Repeat(" ", gap) + right
}
