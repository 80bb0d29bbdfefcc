package main

import (
	"io"
	"os"
	"strconv"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/term"

	"github.com/learnlab/lab/internal/report"
	"github.com/learnlab/lab/internal/theme"
)

// isTerminal reports whether the app's output is a terminal, where the TUI can run. /dev/null
// is a character device but no terminal: `lab start 5 >/dev/null` takes the plain path.
func isTerminal(a *app) bool { return writerIsTerminal(a.out) }

// writerIsTerminal reports whether w is a terminal that understands cursor movement.
func writerIsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(f.Fd()) && os.Getenv("TERM") != "dumb"
}

// terminalWidth is w's width in columns, or 0 when w is not a terminal.
func terminalWidth(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(f.Fd()) {
		return 0
	}
	width, _, err := term.GetSize(f.Fd())
	if err != nil {
		return 0
	}
	return width
}

// reportOutput is how reports are printed to a.out: wrapped to the terminal's width (or
// $COLUMNS when set, for a pipe into a pager) and, on a terminal without NO_COLOR, in the
// TUI's colours, written through a writer that lowers them to what the terminal supports.
func (a *app) reportOutput(opts *report.TextOptions) io.Writer {
	opts.Width = terminalWidth(a.out)
	if opts.Width == 0 {
		opts.Width = envInt("COLUMNS")
	}
	if !writerIsTerminal(a.out) || os.Getenv("NO_COLOR") != "" {
		return a.out
	}
	st := theme.New(a.darkBackground()).TextStyles()
	opts.Styles = &st
	return colorprofile.NewWriter(a.out, os.Environ())
}

// darkBackground decides the palette: what the environment says (LAB_THEME, GLAMOUR_STYLE,
// COLORFGBG), else the terminal's answer to a background colour query, else dark.
// The answer is kept: `lab watch` asks once, not on every save.
func (a *app) darkBackground() bool {
	if a.dark != nil {
		return *a.dark
	}
	dark, ok := theme.FromEnv(a.getenv)
	if !ok {
		in, iok := a.in.(*os.File)
		out, ook := a.out.(*os.File)
		if iok && ook && term.IsTerminal(in.Fd()) {
			dark = lipgloss.HasDarkBackground(in, out)
		}
	}
	a.dark = &dark
	return dark
}

func envInt(name string) int {
	n, err := strconv.Atoi(os.Getenv(name))
	if err != nil || n < 0 {
		return 0
	}
	return n
}
