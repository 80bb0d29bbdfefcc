package tui

import (
	"fmt"
	"strings"
	"unicode"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// searchState is `/` in a lesson, as in less: type a word, enter keeps it, n/N go from match to
// match, esc leaves. While typing, every key is text: nothing runs a command.
type searchState struct {
	typing  bool
	query   string
	matches []match // in the rendered lesson, in reading order
	cur     int     // index into matches
}

// match is one occurrence: a line of the rendered lesson and the cells it covers.
type match struct{ line, start, end int }

func (s *searchState) active() bool { return s.typing || s.query != "" }

// findMatches looks for q (case-insensitive) in the rendered lesson's lines.
func findMatches(content, q string) []match {
	needle := []rune(strings.ToLower(q))
	if len(needle) == 0 {
		return nil
	}
	var out []match
	for i, line := range strings.Split(content, "\n") {
		hay := []rune(ansi.Strip(line))
		for j := range hay {
			hay[j] = unicode.ToLower(hay[j])
		}
		for j := 0; j+len(needle) <= len(hay); j++ {
			if string(hay[j:j+len(needle)]) == string(needle) {
				start := ansi.StringWidth(string(hay[:j]))
				out = append(out, match{line: i, start: start, end: start + ansi.StringWidth(string(needle))})
				j += len(needle) - 1
			}
		}
	}
	return out
}

// searchKey handles a key while the query is typed.
func (l *lessonModel) searchKey(m *Model, msg tea.KeyPressMsg) tea.Cmd {
	s := &l.search
	switch msg.String() {
	case "esc":
		l.search = searchState{}
	case "enter":
		s.typing = false
		if s.query == "" {
			l.search = searchState{}
		}
	case "backspace":
		if r := []rune(s.query); len(r) > 0 {
			s.query = string(r[:len(r)-1])
		}
		l.refind(m, true)
	default:
		if msg.Text != "" {
			s.query += msg.Text
			l.refind(m, true)
		}
	}
	return nil
}

// refind recomputes the matches; fromHere picks the first match at or after the reading
// position, as typing in less does.
func (l *lessonModel) refind(m *Model, fromHere bool) {
	s := &l.search
	r := m.cache.get(l.shown)
	if r == nil {
		s.matches = nil
		return
	}
	s.matches = findMatches(r.Content, s.query)
	s.cur = 0
	if fromHere {
		for i, mt := range s.matches {
			if mt.line >= l.vp.YOffset() {
				s.cur = i
				break
			}
		}
	}
	l.showMatch()
}

// step goes to the next (d=1) or previous (d=-1) match, wrapping round.
func (l *lessonModel) step(d int) {
	s := &l.search
	if n := len(s.matches); n > 0 {
		s.cur = (s.cur + d + n) % n
		l.showMatch()
	}
}

// showMatch scrolls the current match into view, a third down the screen.
func (l *lessonModel) showMatch() {
	s := &l.search
	if s.cur >= len(s.matches) {
		return
	}
	line := s.matches[s.cur].line
	if line < l.vp.YOffset() || line >= l.vp.YOffset()+l.vp.Height() {
		l.vp.SetYOffset(max(0, line-l.vp.Height()/3))
	}
}

// highlight marks the matches on the visible lines of the viewport's view.
func (l *lessonModel) highlight(m *Model, view string) string {
	s := &l.search
	if len(s.matches) == 0 {
		return view
	}
	lines := strings.Split(view, "\n")
	off := l.vp.YOffset()
	for i, mt := range s.matches {
		row := mt.line - off
		if row < 0 || row >= len(lines) {
			continue
		}
		st := m.styles.SearchMatch
		if i == s.cur {
			st = m.styles.SearchCurrent
		}
		line := lines[row]
		w := ansi.StringWidth(line)
		lines[row] = ansi.Cut(line, 0, mt.start) + st.Render(ansi.Strip(ansi.Cut(line, mt.start, mt.end))) + ansi.Cut(line, mt.end, w)
	}
	return strings.Join(lines, "\n")
}

// searchFooter replaces the key hints while searching.
func (l *lessonModel) searchFooter(m *Model) string {
	st := m.styles
	s := &l.search
	count := "no match"
	if n := len(s.matches); n > 0 {
		count = fmt.Sprintf("%d/%d", s.cur+1, n)
	}
	if s.typing {
		return truncate(st.Match.Render("/"+s.query)+st.Match.Render("▏")+"  "+st.Subtle.Render(count)+"  "+
			m.footer([]footItem{{"enter", "keep"}, {"esc", "leave"}}), m.width)
	}
	return truncate(st.Match.Render("/"+s.query)+"  "+st.Subtle.Render(count)+"  "+
		m.footer([]footItem{{"n", "next"}, {"N", "previous"}, {"/", "new search"}, {"esc", "leave"}}), m.width)
}
