package tui

import (
	"bytes"
	"fmt"
	"strings"

	"charm.land/glamour/v2"
	gansi "charm.land/glamour/v2/ansi"
	"charm.land/glamour/v2/styles"
	"github.com/charmbracelet/x/ansi"

	"github.com/learnlab/lab/internal/course"
)

// renderKey identifies one rendering of a lesson: the cache key.
type renderKey struct {
	Lab   string
	Width int
	Style string
}

// rendered is a lesson rendered for one width and style.
type rendered struct {
	Content  string
	Lines    int
	Sections map[string]int // task id -> line of its heading in Content
}

// renderLesson renders lesson markdown with glamour, word-wrapped to width, and finds the line
// of each task's heading. It is pure and safe to call from a tea.Cmd.
func renderLesson(l *course.Lesson, width int, style string) (*rendered, error) {
	if width < 20 {
		width = 20
	}
	styleOpt := glamourStyle(style)
	r, err := glamour.NewTermRenderer(styleOpt, glamour.WithWordWrap(width))
	if err != nil {
		return nil, err
	}
	src, code := extractCode(stripFrontMatter(l.Source))
	out, err := r.Render(string(reflow(src)))
	if err == nil {
		out, err = putCode(hangIndent(out, width), code, styleOpt, width+2)
	}
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", l.Path, err)
	}
	out = strings.TrimRight(out, "\n ")
	lines := strings.Split(out, "\n")
	res := &rendered{Content: out, Lines: len(lines), Sections: map[string]int{}}
	// Sections appear in source order: search forward for each heading's task id.
	at := 0
	for _, s := range l.Sections {
		needle := "Task: " + s.TaskID
		for i := at; i < len(lines); i++ {
			if strings.Contains(ansi.Strip(lines[i]), needle) {
				res.Sections[s.TaskID] = i
				at = i + 1
				break
			}
		}
	}
	return res, nil
}

// lessonStyle is glamour's standard dark or light style with headings drawn alike: glamour
// prefixes H2-H6 with their "## " marks (the H1 has none), so a lesson showed its title plain
// and every section as "## Section". Here no heading shows its marks; H2 (sections, tasks) is
// bold and underlined in the heading color, H3 bold in a second color, H4-H6 bold or italic.
func lessonStyle(style string) gansi.StyleConfig {
	cfg := styles.DarkStyleConfig
	h3, minor := "75", "250"
	switch style {
	case "light":
		cfg = styles.LightStyleConfig
		h3, minor = "31", "238"
	case "neutral":
		// The background is unknown: text in the terminal's own colour, greys mid-tone. Code
		// blocks keep the dark style's own dark background, which reads on any terminal.
		cfg.Document.Color = nil
		h3, minor = "32", "244"
	default:
		if base, ok := styles.DefaultStyles[style]; ok && base != nil {
			cfg = *base // GLAMOUR_STYLE names one of glamour's styles
		}
	}
	on := true
	off := false
	cfg.H2 = gansi.StyleBlock{StylePrimitive: gansi.StylePrimitive{Bold: &on, Underline: &on}}
	cfg.H3 = gansi.StyleBlock{StylePrimitive: gansi.StylePrimitive{Bold: &on, Color: &h3}}
	cfg.H4 = gansi.StyleBlock{StylePrimitive: gansi.StylePrimitive{Bold: &on, Color: &minor}}
	cfg.H5 = gansi.StyleBlock{StylePrimitive: gansi.StylePrimitive{Bold: &on, Italic: &on, Color: &minor}}
	cfg.H6 = gansi.StyleBlock{StylePrimitive: gansi.StylePrimitive{Bold: &off, Italic: &on, Color: &minor}}
	// Inline code without the padding glamour puts around it ("  code  " read as two spaces
	// either side in running text); its colours set it apart.
	cfg.Code.Prefix, cfg.Code.Suffix = "", ""
	return cfg
}

// glamourStyle is the renderer option for a style name: ours (lessonStyle), one of glamour's
// by name, or a JSON style file GLAMOUR_STYLE points at.
func glamourStyle(style string) glamour.TermRendererOption {
	if _, ok := styles.DefaultStyles[style]; ok || style == "neutral" || style == "" {
		return glamour.WithStyles(lessonStyle(style))
	}
	return glamour.WithStylePath(style)
}

// stripFrontMatter drops a leading YAML (---) or TOML (+++) block, which goldmark would
// otherwise render as a rule and text.
func stripFrontMatter(src []byte) []byte {
	for _, fence := range []string{"---", "+++"} {
		if !bytes.HasPrefix(src, []byte(fence+"\n")) {
			continue
		}
		rest := src[len(fence)+1:]
		if i := bytes.Index(rest, []byte("\n"+fence+"\n")); i >= 0 {
			return rest[i+len(fence)+2:]
		}
	}
	return src
}

// renderCache holds renderings per (lesson, width, style). It is only touched from Update, so
// it needs no lock: renders run in tea.Cmds and come back as renderedMsg.
type renderCache struct {
	m     map[renderKey]*rendered
	order []renderKey
	max   int
}

func newRenderCache() *renderCache { return &renderCache{m: map[renderKey]*rendered{}, max: 64} }

func (c *renderCache) get(k renderKey) *rendered { return c.m[k] }

func (c *renderCache) put(k renderKey, r *rendered) {
	if _, ok := c.m[k]; !ok {
		c.order = append(c.order, k)
	}
	c.m[k] = r
	for len(c.order) > c.max {
		delete(c.m, c.order[0])
		c.order = c.order[1:]
	}
}
