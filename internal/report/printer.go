package report

import (
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/learnlab/lab/internal/theme"
)

// printer builds wrapped, optionally coloured text. Wrapping works on the plain text and the
// styles are applied to each finished line, so colour codes never count as columns.
type printer struct {
	strings.Builder
	width int
	st    theme.Text
	color bool
}

func newPrinter(width int, st *theme.Text) *printer {
	p := &printer{width: width}
	if st != nil {
		p.st, p.color = *st, true
	}
	return p
}

// raw writes one line as is: for short lines the caller has styled already.
func (p *printer) raw(line string) { p.WriteString(strings.TrimRight(line, " ") + "\n") }

func (p *printer) blank() { p.WriteString("\n") }

// para writes text wrapped to the width, the first line after first and the others after hang,
// in style, with `code` spans in the code style (also when a span wraps onto the next line).
func (p *printer) para(text, first, hang string, style lipgloss.Style) {
	inCode := false
	p.paraStyled(text, first, hang, func(s string) string { return p.code(s, style, &inCode) })
}

// paraStyled is para with a function that styles each wrapped line's text.
func (p *printer) paraStyled(text, first, hang string, style func(string) string) {
	plainFirst := first
	if p.color {
		// Wrap against the prefix as it shows, not its colour codes.
		plainFirst = strings.Repeat(" ", lipgloss.Width(first))
	}
	for i, l := range wrapLine(text, plainFirst, hang, p.width) {
		prefix, body := hang, strings.TrimPrefix(l, hang)
		if i == 0 {
			prefix, body = first, strings.TrimPrefix(l, plainFirst)
		}
		if p.color {
			body = style(body)
		}
		p.raw(prefix + body)
	}
}

// text writes a multi-line message under indent: each of its lines wraps with continuation
// lines under that line's own text (its leading spaces kept, a list item's text after "- ").
func (p *printer) text(msg, indent string, style lipgloss.Style) {
	for _, l := range strings.Split(strings.TrimRight(msg, "\n"), "\n") {
		if strings.TrimSpace(l) == "" {
			p.blank()
			continue
		}
		body := strings.TrimLeft(l, " \t")
		lead := strings.Repeat(" ", len(l)-len(body))
		hang := indent + lead
		if strings.HasPrefix(body, "- ") || strings.HasPrefix(body, "* ") {
			hang += "  "
		}
		p.para(body, indent+lead, hang, style)
	}
}

// code styles a line's `code` spans (backticks kept, so plain and coloured text read the same)
// in the code style and the rest in style; *inCode carries an open span to the next line.
func (p *printer) code(s string, style lipgloss.Style, inCode *bool) string {
	var b strings.Builder
	for i, part := range strings.Split(s, "`") {
		if i > 0 {
			*inCode = !*inCode
			b.WriteString(p.st.Code.Render("`"))
		}
		if part == "" {
			continue
		}
		if *inCode {
			b.WriteString(p.st.Code.Render(part))
		} else {
			b.WriteString(style.Render(part))
		}
	}
	return b.String()
}
