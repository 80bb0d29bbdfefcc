package course

import (
	"bytes"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

// TaskMarker starts the text of a level-2 heading that opens a task's section:
//
//	## Task: cache-aside — Read through Redis
const TaskMarker = "Task:"

// Lesson is one lessons/NN-slug.md file.
type Lesson struct {
	Path     string // relative to the course root
	Title    string // the first level-1 heading
	Source   []byte
	Sections []Section
}

// Section is where a task's part of the lesson begins.
type Section struct {
	TaskID string
	Title  string // the heading text after the task id
	Line   int    // 1-based line of the heading in Source
	Offset int    // byte offset of the heading line in Source
}

// Section returns the section for a task, or nil.
func (l *Lesson) Section(taskID string) *Section {
	for i := range l.Sections {
		if l.Sections[i].TaskID == taskID {
			return &l.Sections[i]
		}
	}
	return nil
}

var md = goldmark.New()

func parseLesson(file string, src []byte) (*Lesson, Problems) {
	var ps Problems
	l := &Lesson{Path: file, Source: src}
	doc := md.Parser().Parse(text.NewReader(src))
	seen := map[string]int{}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		h, ok := n.(*ast.Heading)
		if !entering || !ok {
			return ast.WalkContinue, nil
		}
		title := strings.TrimSpace(headingText(h, src))
		off := lineStart(src, h)
		line := 1 + bytes.Count(src[:off], []byte("\n"))
		if h.Level == 1 && l.Title == "" {
			l.Title = title
		}
		if h.Level != 2 || !strings.HasPrefix(title, TaskMarker) {
			return ast.WalkSkipChildren, nil
		}
		rest := strings.TrimSpace(strings.TrimPrefix(title, TaskMarker))
		id, name := rest, ""
		for _, sep := range []string{" — ", " – ", " - ", ": "} {
			if i := strings.Index(rest, sep); i >= 0 {
				id, name = strings.TrimSpace(rest[:i]), strings.TrimSpace(rest[i+len(sep):])
				break
			}
		}
		switch {
		case !taskIDRe.MatchString(id):
			ps.add(file, line, "task heading %q: %q is not a kebab-case task id (write \"## Task: my-task — Title\")", title, id)
		case seen[id] != 0:
			ps.add(file, line, "task %q has a second section (first at line %d)", id, seen[id])
		default:
			seen[id] = line
			l.Sections = append(l.Sections, Section{TaskID: id, Title: name, Line: line, Offset: off})
		}
		return ast.WalkSkipChildren, nil
	})
	if l.Title == "" {
		ps.add(file, 1, "no title: a lesson starts with a level-1 heading (\"# Caching\")")
	}
	return l, ps
}

// headingText joins the text of a heading's inline children (Node.Text is deprecated).
func headingText(n ast.Node, src []byte) string {
	var b strings.Builder
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch t := c.(type) {
		case *ast.Text:
			b.Write(t.Segment.Value(src))
			if t.SoftLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(t.Value)
		default:
			b.WriteString(headingText(c, src))
		}
	}
	return b.String()
}

// lineStart finds the byte offset of the line a block node starts on.
func lineStart(src []byte, n ast.Node) int {
	lines := n.Lines()
	off := 0
	if lines.Len() > 0 {
		off = lines.At(0).Start
	} else if c := n.FirstChild(); c != nil {
		if t, ok := c.(*ast.Text); ok {
			off = t.Segment.Start
		}
	}
	if off > len(src) {
		off = len(src)
	}
	return bytes.LastIndexByte(src[:off], '\n') + 1
}
