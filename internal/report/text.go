// Package report renders a checker.Report: Text for a terminal, JSON (exercism results v3
// style) for graders and JUnit XML for CI systems. The checker never prints; these do.
package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/learnlab/lab/internal/checker"
	"github.com/learnlab/lab/internal/theme"
)

// TextOptions tunes the text report.
type TextOptions struct {
	// HintsShown maps task id to the hints the learner has already seen (workspace state), so
	// the report can offer the next one.
	HintsShown map[string]int
	// MaxOutputLines bounds the learner's output shown under a failing test (default 20).
	MaxOutputLines int
	// Verbose shows every failing test of a task, not only the first.
	Verbose bool
	// NextLab is the number of the lab after this one, 0 when this is the course's last.
	// Nil: the report guesses the next number.
	NextLab *int
	// Width wraps every line at this many columns, between words, with continuation lines
	// indented under the text they continue. 0: no wrapping (pipes, CI logs).
	Width int
	// Topic, when the lab has one, heads the report: "05 Caching — Product catalog…".
	Topic string
	// Styles colours the report (the TUI's palette, internal/theme); nil prints plain text.
	Styles *theme.Text
}

// Text writes the report for a terminal, scannable, wrapped to opts.Width and coloured when
// opts.Styles is set:
//
//	01-rest-api — Books REST API: 2/4 tasks passed
//
//	  ✓ list-books     List books
//	  ✗ create-book    Create a book
//	      TestCreateBookReturns201
//	      POST /api/v1/books {"title":"Go"}: got status 200, want 201
//	      your output:
//	        2026/01/02 listening on :8080
//	      Stuck? `lab hint 1 create-book` (hint 1 of 3)
//
//	Next: fix create-book, then run `lab check 1` again.
func Text(w io.Writer, r *checker.Report, opts TextOptions) error {
	if opts.MaxOutputLines <= 0 {
		opts.MaxOutputLines = 20
	}
	p := newPrinter(opts.Width, opts.Styles)
	st := p.st
	num := labNumber(r.Lab)
	name := r.Lab
	if opts.Topic != "" {
		n, _, _ := strings.Cut(r.Lab, "-")
		name = n + " " + opts.Topic
	}
	header := fmt.Sprintf("%s — %s: %d/%d tasks passed", name, r.Title, r.Passed(), len(r.Tasks))
	p.paraStyled(header, "", "  ", func(line string) string {
		if rest, ok := strings.CutPrefix(line, name); ok {
			return st.Title.Render(name) + st.Header.Render(rest)
		}
		return st.Header.Render(line)
	})
	if r.Status == checker.Error || r.Status == checker.Timeout {
		p.blank()
		p.text(r.Message, "  ", st.Error)
	}
	for _, n := range r.Notes {
		p.blank()
		p.para("note: "+n, "", "      ", st.Warn)
	}
	p.blank()
	width := 0
	for _, t := range r.Tasks {
		width = max(width, ansi.StringWidth(t.ID))
	}
	for _, t := range r.Tasks {
		mark, markStyle := "✓", st.Pass
		if t.Status != checker.Pass {
			mark, markStyle = "✗", st.Fail
		}
		// The title and what follows it wrap under the title's column.
		first := "  " + markStyle.Render(mark) + " " + t.ID + strings.Repeat(" ", width-ansi.StringWidth(t.ID)) + "  "
		hang := strings.Repeat(" ", 2+2+width+2)
		title := t.Title
		var tail []string
		switch {
		case t.Status == checker.Timeout:
			tail = append(tail, "(timed out)")
		case t.Status == checker.Error:
			tail = append(tail, "(not run)")
		}
		if t.WasPassing {
			tail = append(tail, "— was passing before")
		}
		if len(tail) > 0 {
			title += "  " + strings.Join(tail, "  ")
		}
		p.paraStyled(title, first, hang, func(line string) string {
			// The title in the text colour, the notes after it as warnings.
			if i := strings.Index(line, "(timed out)"); i >= 0 {
				return line[:i] + st.Warn.Render(line[i:])
			}
			if i := strings.Index(line, "— was passing before"); i >= 0 {
				return line[:i] + st.Warn.Render(line[i:])
			}
			return line
		})
		if t.Status == checker.Pass || r.Status == checker.Error && r.Build != "" {
			continue
		}
		shown, hidden := 0, 0
		for _, tt := range t.Tests {
			if tt.Status == checker.Pass {
				continue
			}
			if shown > 0 && !opts.Verbose {
				hidden++
				continue
			}
			shown++
			p.paraStyled(tt.Name, "      ", "      ", func(l string) string { return st.Header.Render(l) })
			if tt.Message != "" {
				p.text(tt.Message, "      ", lipgloss.Style{})
			}
			if out := strings.TrimSpace(tt.Output); out != "" {
				p.para("your output:", "      ", "      ", st.Faint)
				// Program output has no sentences to respect: continuation lines are marked
				// by a deeper indent.
				for _, l := range strings.Split(capLines(out, opts.MaxOutputLines), "\n") {
					p.para(l, "        ", "          ", st.Faint)
				}
			}
		}
		if hidden > 0 {
			p.para(fmt.Sprintf("… and %d more not passing in this task: `lab check %s -v` shows them all", hidden, num), "      ", "      ", st.Subtle)
		}
		if t.HintCount > 0 {
			seen := opts.HintsShown[t.ID]
			if seen < t.HintCount {
				p.para(fmt.Sprintf("Stuck? `lab hint %s %s` (hint %d of %d)", num, t.ID, seen+1, t.HintCount), "      ", "      ", st.Subtle)
			} else {
				p.para(fmt.Sprintf("Stuck? `lab hint %s %s` shows the hints again", num, t.ID), "      ", "      ", st.Subtle)
			}
		}
	}
	p.blank()
	switch {
	case r.Status == checker.Pass:
		next := nextNumber(r.Lab)
		if opts.NextLab != nil {
			next = *opts.NextLab
		}
		if next == 0 {
			p.para("All tasks pass. Well done — that was the last lab of the course! `lab progress` shows everything you finished.", "", "", st.Pass)
		} else {
			p.para(fmt.Sprintf("All tasks pass. Well done! Next: `lab start %d`, or `lab list` to choose.", next), "", "", st.Pass)
		}
	case r.Status == checker.Error && r.Build != "":
		p.para(fmt.Sprintf("Next: fix the compile errors above, then run `lab check %s` again.", num), "", "", lipgloss.Style{})
	default:
		first := ""
		for _, t := range r.Tasks {
			if t.Status != checker.Pass {
				first = t.ID
				break
			}
		}
		p.para(fmt.Sprintf("Next: work on %s, then run `lab check %s` again (or `lab watch %s`).", first, num, num), "", "", lipgloss.Style{})
	}
	_, err := io.WriteString(w, p.String())
	return err
}

func labNumber(id string) string {
	n, _, _ := strings.Cut(id, "-")
	if i, err := strconv.Atoi(n); err == nil {
		return strconv.Itoa(i)
	}
	return id
}

func nextNumber(id string) int {
	n, _ := strconv.Atoi(labNumber(id))
	return n + 1
}

func capLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) <= n {
		return s
	}
	head := n / 4
	tail := n - head
	cut := len(lines) - n
	out := append([]string{}, lines[:head]...)
	out = append(out, fmt.Sprintf("… %d lines cut …", cut))
	return strings.Join(append(out, lines[len(lines)-tail:]...), "\n")
}
