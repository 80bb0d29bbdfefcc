package tui

import (
	"charm.land/lipgloss/v2"

	"github.com/learnlab/lab/internal/theme"
)

// Styles holds every style the app uses; NewStyles picks the light or dark palette of
// internal/theme (shared with the command line). Nothing else in the TUI chooses a color.
type Styles struct {
	Dark bool

	App        lipgloss.Style
	Title      lipgloss.Style // the app name in headers
	Header     lipgloss.Style // the rest of the header line
	Subtle     lipgloss.Style // secondary text
	Faint      lipgloss.Style // tertiary text
	Selected   lipgloss.Style // the selected row
	Number     lipgloss.Style
	Match      lipgloss.Style // filter input
	Continue   lipgloss.Style // the "continue" line on home
	Panel      lipgloss.Style // the task panel box
	PanelTitle lipgloss.Style
	Pane       lipgloss.Style // the results / hint / workspace pane box
	PaneTitle  lipgloss.Style
	Status     lipgloss.Style // the status line
	Error      lipgloss.Style
	Pass       lipgloss.Style
	Fail       lipgloss.Style
	Warn       lipgloss.Style
	Pending    lipgloss.Style
	Badge      lipgloss.Style // "watching" in the header
	HelpKey    lipgloss.Style
	HelpDesc   lipgloss.Style
	HelpGroup  lipgloss.Style
	Code       lipgloss.Style // paths and commands
	Spinner    lipgloss.Style
	// SearchMatch marks a match of `/` in the lesson; SearchCurrent the one n/N went to.
	SearchMatch   lipgloss.Style
	SearchCurrent lipgloss.Style

	// GlamourStyle is the lesson's style: "dark", "light", "neutral" (see lessonStyle), or what
	// GLAMOUR_STYLE names (a glamour style like "dracula", or a JSON file).
	GlamourStyle string
}

// NewStyles returns the styles for a dark or a light terminal background.
func NewStyles(dark bool) Styles { return stylesFor(theme.New(dark)) }

// stylesFor builds the styles of a palette; the neutral one (background unknown) marks the
// selection by reversing the terminal's own colours, which reads on any background.
func stylesFor(p theme.Palette) Styles {
	dark := p.Dark
	var (
		accent  = p.Accent
		text    = p.Text
		subtle  = p.Subtle
		faint   = p.Faint
		border  = p.Border
		green   = p.Green
		red     = p.Red
		yellow  = p.Yellow
		selBg   = p.SelBg
		codeFg  = p.Code
		badgeBg = p.BadgeBg
	)
	s := Styles{Dark: dark, GlamourStyle: "light"}
	switch {
	case p.Neutral:
		s.GlamourStyle = "neutral"
	case dark:
		s.GlamourStyle = "dark"
	}
	s.App = lipgloss.NewStyle().Foreground(text)
	s.Title = lipgloss.NewStyle().Bold(true).Foreground(accent)
	s.Header = lipgloss.NewStyle().Foreground(text).Bold(true)
	s.Subtle = lipgloss.NewStyle().Foreground(subtle)
	s.Faint = lipgloss.NewStyle().Foreground(faint)
	s.Selected = lipgloss.NewStyle().Background(selBg).Foreground(text).Bold(true)
	s.Number = lipgloss.NewStyle().Foreground(accent)
	s.Match = lipgloss.NewStyle().Foreground(accent).Bold(true)
	s.Continue = lipgloss.NewStyle().Foreground(accent)
	s.Panel = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(border).Padding(0, 1)
	s.PanelTitle = lipgloss.NewStyle().Bold(true).Foreground(accent)
	s.Pane = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(accent).Padding(0, 1)
	s.PaneTitle = lipgloss.NewStyle().Bold(true).Foreground(accent)
	s.Status = lipgloss.NewStyle().Foreground(subtle)
	s.Error = lipgloss.NewStyle().Foreground(red)
	s.Pass = lipgloss.NewStyle().Foreground(green).Bold(true)
	s.Fail = lipgloss.NewStyle().Foreground(red).Bold(true)
	s.Warn = lipgloss.NewStyle().Foreground(yellow).Bold(true)
	s.Pending = lipgloss.NewStyle().Foreground(faint)
	s.Badge = lipgloss.NewStyle().Background(badgeBg).Foreground(lipgloss.Color("#FFFFFF")).Padding(0, 1).Bold(true)
	s.HelpKey = lipgloss.NewStyle().Foreground(accent).Bold(true)
	s.HelpDesc = lipgloss.NewStyle().Foreground(subtle)
	s.HelpGroup = lipgloss.NewStyle().Foreground(text).Bold(true).Underline(true)
	s.Code = lipgloss.NewStyle().Foreground(codeFg)
	s.Spinner = lipgloss.NewStyle().Foreground(accent)
	s.SearchMatch = lipgloss.NewStyle().Background(selBg).Foreground(text)
	s.SearchCurrent = lipgloss.NewStyle().Background(yellow).Foreground(lipgloss.Color("#000000")).Bold(true)
	if p.Neutral {
		s.Selected = lipgloss.NewStyle().Reverse(true).Bold(true)
		s.SearchMatch = lipgloss.NewStyle().Reverse(true)
	}
	return s
}
