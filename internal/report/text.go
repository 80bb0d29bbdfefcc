// Package report renders a checker.Report: Text for a terminal, JSON (exercism results v3
// style) for graders and JUnit XML for CI systems. The checker never prints; these do.
package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/learnlab/lab/internal/checker"
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
}

// Text writes the report for a terminal: plain text, no colour, scannable.
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
	b := &strings.Builder{}
	num := labNumber(r.Lab)
	fmt.Fprintf(b, "%s — %s: %d/%d tasks passed\n", r.Lab, r.Title, r.Passed(), len(r.Tasks))
	if r.Status == checker.Error || r.Status == checker.Timeout {
		fmt.Fprintf(b, "\n%s\n", indent(r.Message, "  "))
	}
	for _, n := range r.Notes {
		fmt.Fprintf(b, "\nnote: %s\n", n)
	}
	b.WriteString("\n")
	width := 0
	for _, t := range r.Tasks {
		width = max(width, len(t.ID))
	}
	for _, t := range r.Tasks {
		mark := "✓"
		if t.Status != checker.Pass {
			mark = "✗"
		}
		line := fmt.Sprintf("  %s %-*s  %s", mark, width, t.ID, t.Title)
		switch {
		case t.Status == checker.Timeout:
			line += "  (timed out)"
		case t.Status == checker.Error:
			line += "  (not run)"
		}
		if t.WasPassing {
			line += "  — was passing before"
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
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
			fmt.Fprintf(b, "      %s\n", tt.Name)
			if tt.Message != "" {
				b.WriteString(indent(tt.Message, "      ") + "\n")
			}
			if out := strings.TrimSpace(tt.Output); out != "" {
				b.WriteString("      your output:\n")
				b.WriteString(indent(capLines(out, opts.MaxOutputLines), "        ") + "\n")
			}
		}
		if hidden > 0 {
			fmt.Fprintf(b, "      … and %d more not passing in this task: `lab check %s -v` shows them all\n", hidden, num)
		}
		if t.HintCount > 0 {
			seen := opts.HintsShown[t.ID]
			if seen < t.HintCount {
				fmt.Fprintf(b, "      Stuck? `lab hint %s %s` (hint %d of %d)\n", num, t.ID, seen+1, t.HintCount)
			} else {
				fmt.Fprintf(b, "      Stuck? `lab hint %s %s` shows the hints again\n", num, t.ID)
			}
		}
	}
	b.WriteString("\n")
	switch {
	case r.Status == checker.Pass:
		next := nextNumber(r.Lab)
		if opts.NextLab != nil {
			next = *opts.NextLab
		}
		if next == 0 {
			fmt.Fprintln(b, "All tasks pass. Well done — that was the last lab of the course! `lab progress` shows everything you finished.")
		} else {
			fmt.Fprintf(b, "All tasks pass. Well done! Next: `lab start %d`, or `lab list` to choose.\n", next)
		}
	case r.Status == checker.Error && r.Build != "":
		fmt.Fprintf(b, "Next: fix the compile errors above, then run `lab check %s` again.\n", num)
	default:
		first := ""
		for _, t := range r.Tasks {
			if t.Status != checker.Pass {
				first = t.ID
				break
			}
		}
		fmt.Fprintf(b, "Next: work on %s, then run `lab check %s` again (or `lab watch %s`).\n", first, num, num)
	}
	_, err := io.WriteString(w, b.String())
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

func indent(s, pre string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = pre + l
		}
	}
	return strings.Join(lines, "\n")
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
