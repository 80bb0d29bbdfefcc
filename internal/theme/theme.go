// Package theme is the one palette of lab, shared by the workbench (internal/tui) and the
// command line reports (internal/report), so a pass is the same green in both; and the rules
// that decide between the light and the dark variant from what the environment says.
package theme

import (
	"image/color"
	"os"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"
)

// Palette is every colour lab uses, for one background.
type Palette struct {
	Dark    bool
	Neutral bool // the background is unknown: see Neutral
	Accent  color.Color
	Text    color.Color
	Subtle  color.Color
	Faint   color.Color
	Border  color.Color
	Green   color.Color
	Red     color.Color
	Yellow  color.Color
	SelBg   color.Color
	Code    color.Color
	BadgeBg color.Color
}

// New returns the palette for a dark or a light terminal background.
func New(dark bool) Palette {
	ld := lipgloss.LightDark(dark)
	c := func(light, darkc string) color.Color { return ld(lipgloss.Color(light), lipgloss.Color(darkc)) }
	return Palette{
		Dark:    dark,
		Accent:  c("#5A3FD0", "#B4A2FF"),
		Text:    c("#1F1F28", "#E6E6EE"),
		Subtle:  c("#55556A", "#A8A8B8"),
		Faint:   c("#7A7A8C", "#7C7C8E"),
		Border:  c("#A8A8C0", "#4A4A60"),
		Green:   c("#0F7B3A", "#5FD38D"),
		Red:     c("#B3261E", "#FF7A7A"),
		Yellow:  c("#8A5A00", "#F2C14E"),
		SelBg:   c("#E4DEFF", "#35305A"),
		Code:    c("#8F3F71", "#F0A6CA"),
		BadgeBg: c("#0F7B3A", "#2E7D4F"),
	}
}

// Neutral is the palette for a background nobody named: the terminal did not answer the colour
// query and the environment says nothing. Running text keeps the terminal's own foreground and
// the other colours are mid-tones that read on black and on white alike, so a light terminal
// never gets light-grey text on white (nor a dark one black on black).
func Neutral() Palette {
	c := lipgloss.Color
	return Palette{
		Dark:    true,
		Neutral: true,
		Accent:  c("#7D56F4"),
		Text:    lipgloss.NoColor{},
		Subtle:  c("#808090"),
		Faint:   c("#8A8A8A"),
		Border:  c("#8A8AA0"),
		Green:   c("#2E9E5B"),
		Red:     c("#D0453A"),
		Yellow:  c("#B7791F"),
		SelBg:   c("#7D56F4"),
		Code:    c("#C0508A"),
		BadgeBg: c("#2E7D4F"),
	}
}

// Text is the styles for running text, the same in the workbench and on the command line.
// The zero value renders plain text.
type Text struct {
	Title  lipgloss.Style // lab ids and names in headers
	Header lipgloss.Style // the rest of a header line
	Subtle lipgloss.Style // secondary text
	Faint  lipgloss.Style // tertiary text: the learner's output, phases
	Pass   lipgloss.Style
	Fail   lipgloss.Style
	Warn   lipgloss.Style
	Error  lipgloss.Style // error messages
	Code   lipgloss.Style // paths and commands
}

// TextStyles returns the running-text styles of the palette.
func (p Palette) TextStyles() Text {
	return Text{
		Title:  lipgloss.NewStyle().Bold(true).Foreground(p.Accent),
		Header: lipgloss.NewStyle().Bold(true), // the terminal's own text colour: readable on any background
		Subtle: lipgloss.NewStyle().Foreground(p.Subtle),
		Faint:  lipgloss.NewStyle().Foreground(p.Faint),
		Pass:   lipgloss.NewStyle().Foreground(p.Green).Bold(true),
		Fail:   lipgloss.NewStyle().Foreground(p.Red).Bold(true),
		Warn:   lipgloss.NewStyle().Foreground(p.Yellow).Bold(true),
		Error:  lipgloss.NewStyle().Foreground(p.Red),
		Code:   lipgloss.NewStyle().Foreground(p.Code),
	}
}

// FromEnv says whether the environment names the background: LAB_THEME (dark, light; auto or
// unset defers), then GLAMOUR_STYLE (dark, light), then COLORFGBG ("15;0": the last field is
// the background colour index, 7 and 9-15 are light). ok is false when nothing says, and the
// caller asks the terminal or assumes dark.
func FromEnv(getenv func(string) string) (dark, ok bool) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if d, ok := Parse(getenv("LAB_THEME")); ok {
		return d, true
	}
	if d, ok := Parse(getenv("GLAMOUR_STYLE")); ok {
		return d, true
	}
	if v := getenv("COLORFGBG"); v != "" {
		f := strings.Split(v, ";")
		if bg, err := strconv.Atoi(f[len(f)-1]); err == nil {
			return !(bg == 7 || bg >= 9 && bg <= 15), true
		}
	}
	return true, false
}

// Names is what --theme and LAB_THEME accept.
var Names = []string{"auto", "dark", "light"}

// Valid reports whether name is one of Names ("" counts as auto).
func Valid(name string) bool {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "", "auto", "dark", "light":
		return true
	}
	return false
}

// Parse reads a theme name: "dark" or "light" (ok), anything else ("auto", "") defers.
func Parse(name string) (dark, ok bool) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "dark":
		return true, true
	case "light":
		return false, true
	}
	return true, false
}
