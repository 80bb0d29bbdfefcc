package tui

import (
	"strings"

	"charm.land/lipgloss/v2"
)

// helpView lists every key, from keys.go, in columns when they fit.
func (m *Model) helpView() string {
	st := m.styles
	var blocks []string
	keyW := 0
	for _, g := range m.keys.helpGroups() {
		for _, k := range g.Keys {
			keyW = max(keyW, lipgloss.Width(k.Help().Key))
		}
	}
	colW := 0
	for _, g := range m.keys.helpGroups() {
		lines := []string{st.HelpGroup.Render(g.Title)}
		for _, k := range g.Keys {
			lines = append(lines, st.HelpKey.Render(pad(k.Help().Key, keyW))+"  "+st.HelpDesc.Render(k.Help().Desc))
		}
		b := strings.Join(lines, "\n")
		colW = max(colW, lipgloss.Width(b))
		blocks = append(blocks, b)
	}
	title := st.Title.Render("lab") + st.Subtle.Render(" · keys") + "\n"
	foot := "\n" + st.Faint.Render("? or esc closes this help · q quits")
	avail := m.height - 3

	// Two columns when wide enough, else one (cut to fit, widest terminals show all).
	var body string
	if m.width >= 2*colW+4 {
		var left, right []string
		lh, rh := 0, 0
		for _, b := range blocks {
			h := lipgloss.Height(b) + 1
			if lh <= rh {
				left, lh = append(left, b), lh+h
			} else {
				right, rh = append(right, b), rh+h
			}
		}
		body = lipgloss.JoinHorizontal(lipgloss.Top,
			lipgloss.NewStyle().Width(colW+4).Render(strings.Join(left, "\n\n")),
			strings.Join(right, "\n\n"))
	} else {
		// One column: descriptions are wrapped to the width.
		var lines []string
		for _, g := range m.keys.helpGroups() {
			lines = append(lines, st.HelpGroup.Render(g.Title))
			for _, k := range g.Keys {
				desc := truncate(k.Help().Desc, max(10, m.width-keyW-2))
				lines = append(lines, st.HelpKey.Render(pad(k.Help().Key, keyW))+"  "+st.HelpDesc.Render(desc))
			}
			lines = append(lines, "")
		}
		body = strings.Join(lines, "\n")
	}
	if lipgloss.Height(body) > avail {
		// Too short for everything: the compact form, several keys per line.
		var lines []string
		for _, g := range m.keys.helpGroups() {
			var parts []string
			for _, k := range g.Keys {
				parts = append(parts, st.HelpKey.Render(k.Help().Key)+" "+st.HelpDesc.Render(shortDesc(k.Help().Desc)))
			}
			lines = append(lines, st.HelpGroup.Render(g.Title))
			lines = append(lines, splitLines(wrapJoined(parts, m.width))...)
		}
		body = strings.Join(lines, "\n")
	}
	return m.frame(title + "\n" + body + foot)
}

func shortDesc(s string) string {
	if i := strings.IndexAny(s, "(:"); i > 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// wrapJoined joins styled parts with " · ", breaking lines at the width.
func wrapJoined(parts []string, w int) string {
	var lines []string
	cur := ""
	for _, p := range parts {
		switch {
		case cur == "":
			cur = p
		case lipgloss.Width(cur)+3+lipgloss.Width(p) <= w:
			cur += " · " + p
		default:
			lines = append(lines, cur)
			cur = p
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return strings.Join(lines, "\n")
}
