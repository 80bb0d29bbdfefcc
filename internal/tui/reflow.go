package tui

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"charm.land/glamour/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"
)

// Lessons are written with hard line breaks at ~100 columns. glamour keeps a soft break inside
// a list item as a line break, so bullets came out ragged at every width; and it wraps code
// blocks like prose, breaking a comment in the middle. Before rendering, paragraphs are joined
// into one line each (glamour wraps them to the width), and each fenced code block is taken out
// and rendered on its own, unwrapped, then clipped at the width with a marker.

var gfm = goldmark.New(goldmark.WithExtensions(extension.GFM)) // tables are not paragraphs

// reflow joins the soft line breaks of paragraphs: "long\n  text" becomes "long text". Hard
// breaks (two trailing spaces, a backslash) stay.
func reflow(src []byte) []byte {
	doc := gfm.Parser().Parse(text.NewReader(src))
	type cut struct{ from, to int }
	var cuts []cut
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		if n.Kind() != ast.KindParagraph && n.Kind() != ast.KindTextBlock {
			return ast.WalkContinue, nil
		}
		lines := n.Lines()
		for i := 0; i+1 < lines.Len(); i++ {
			cur, next := lines.At(i), lines.At(i+1)
			end := cur.Stop
			for end > cur.Start && (src[end-1] == '\n' || src[end-1] == '\r') {
				end--
			}
			body := src[cur.Start:end]
			if bytes.HasSuffix(body, []byte("  ")) || bytes.HasSuffix(body, []byte("\\")) {
				continue // a hard line break
			}
			for end > cur.Start && src[end-1] == ' ' {
				end--
			}
			cuts = append(cuts, cut{end, next.Start})
		}
		return ast.WalkSkipChildren, nil
	})
	if len(cuts) == 0 {
		return src
	}
	sort.Slice(cuts, func(i, j int) bool { return cuts[i].from < cuts[j].from })
	var b bytes.Buffer
	at := 0
	for _, c := range cuts {
		if c.from < at || c.to < c.from {
			continue
		}
		b.Write(src[at:c.from])
		b.WriteByte(' ')
		at = c.to
	}
	b.Write(src[at:])
	return b.Bytes()
}

var fenceRe = regexp.MustCompile("^( *)(```+|~~~+)(.*)$")

// codeBlock is a fenced block taken out of a lesson.
type codeBlock struct {
	token string // the placeholder paragraph left in its place
	src   string // the block alone, fences included, unindented
}

// extractCode replaces each fenced code block with a one-word placeholder paragraph.
func extractCode(src []byte) ([]byte, []codeBlock) {
	lines := strings.SplitAfter(string(src), "\n")
	var out strings.Builder
	var blocks []codeBlock
	for i := 0; i < len(lines); i++ {
		m := fenceRe.FindStringSubmatch(strings.TrimRight(lines[i], "\r\n"))
		if m == nil {
			out.WriteString(lines[i])
			continue
		}
		indent, fence := len(m[1]), m[2]
		var body strings.Builder
		body.WriteString(fence + m[3] + "\n")
		j := i + 1
		for ; j < len(lines); j++ {
			l := strings.TrimRight(lines[j], "\r\n")
			t := strings.TrimLeft(l, " ")
			if strings.HasPrefix(t, fence) && strings.Trim(t, fence[:1]) == "" {
				break
			}
			// The content, without the indentation the fence had (a block inside a list).
			k := 0
			for k < indent && k < len(l) && l[k] == ' ' {
				k++
			}
			body.WriteString(l[k:] + "\n")
		}
		if j == len(lines) {
			out.WriteString(lines[i]) // unclosed: leave it to glamour
			continue
		}
		body.WriteString(fence + "\n")
		tok := fmt.Sprintf("LABCODEBLOCK%dX", len(blocks))
		blocks = append(blocks, codeBlock{token: tok, src: body.String()})
		fmt.Fprintf(&out, "\n%s%s\n\n", m[1], tok)
		i = j
	}
	return []byte(out.String()), blocks
}

// putCode replaces each placeholder line of the rendered lesson with its code block, rendered
// unwrapped and clipped to width cells ("…" marks a cut line).
func putCode(rendered string, blocks []codeBlock, style glamour.TermRendererOption, width int) (string, error) {
	if len(blocks) == 0 {
		return rendered, nil
	}
	r, err := glamour.NewTermRenderer(style, glamour.WithWordWrap(0))
	if err != nil {
		return "", err
	}
	byToken := map[string]codeBlock{}
	for _, b := range blocks {
		byToken[b.token] = b
	}
	var out []string
	for _, line := range strings.Split(rendered, "\n") {
		plain := ansi.Strip(line)
		tok := strings.TrimSpace(plain)
		b, ok := byToken[tok]
		if !ok {
			out = append(out, line)
			continue
		}
		code, err := r.Render(b.src)
		if err != nil {
			return "", err
		}
		// The placeholder sat where the block belongs (a list item indents it): keep that
		// indentation beyond the document margin glamour gives the block on its own.
		extra := strings.Repeat(" ", max(0, len(plain)-len(strings.TrimLeft(plain, " "))-2))
		codeLines := strings.Split(strings.Trim(code, "\n"), "\n")
		// One blank line before the block, as glamour leaves before a block it renders itself.
		for len(out) > 1 && strings.TrimSpace(ansi.Strip(out[len(out)-1])) == "" && strings.TrimSpace(ansi.Strip(out[len(out)-2])) == "" {
			out = out[:len(out)-1]
		}
		for _, cl := range codeLines {
			cl = extra + trimRightCells(cl)
			if ansi.StringWidth(cl) > width {
				cl = ansi.Truncate(cl, width, "…")
			}
			out = append(out, cl)
		}
	}
	return strings.Join(out, "\n"), nil
}

// trimRightCells drops the trailing blanks glamour pads a line with, styles kept.
func trimRightCells(s string) string {
	w := ansi.StringWidth(strings.TrimRight(ansi.Strip(s), " "))
	if w == ansi.StringWidth(s) {
		return s
	}
	return ansi.Truncate(s, w, "") + "\x1b[0m"
}

var itemRe = regexp.MustCompile(`^( *)(• |\d+\. )`)

// hangIndent re-wraps list items so their continuation lines sit under the item's text, not
// under the bullet (glamour starts them at the margin). width is the wrap width glamour used.
func hangIndent(rendered string, width int) string {
	lines := strings.Split(rendered, "\n")
	var out []string
	for i := 0; i < len(lines); i++ {
		m := itemRe.FindStringSubmatch(ansi.Strip(lines[i]))
		if m == nil {
			out = append(out, lines[i])
			continue
		}
		indent := len(m[1])
		hang := indent + ansi.StringWidth(m[2])
		item := trimRightCells(lines[i])
		j := i + 1
		for ; j < len(lines); j++ {
			p := ansi.Strip(lines[j])
			t := strings.TrimLeft(p, " ")
			if t == "" || len(p)-len(t) != indent || itemRe.MatchString(p) {
				break
			}
			// The continuation, without the margin it was given.
			item += " " + strings.TrimLeft(ansi.TruncateLeft(trimRightCells(lines[j]), indent, ""), " ")
		}
		if j == i+1 {
			out = append(out, lines[i])
			continue
		}
		head := ansi.Cut(item, 0, hang)
		body := ansi.TruncateLeft(item, hang, "")
		wrapped := strings.Split(ansi.Wordwrap(body, max(10, width-hang), ""), "\n")
		out = append(out, head+wrapped[0])
		for _, w := range wrapped[1:] {
			out = append(out, strings.Repeat(" ", hang)+w)
		}
		i = j - 1
	}
	return strings.Join(out, "\n")
}
