package tui

import (
	"bytes"
	"io/fs"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	lab "github.com/learnlab/lab"
	"github.com/learnlab/lab/internal/course"
)

// benchCourse is the built-in course when it loads, else the fixture.
func benchCourse(b *testing.B) *course.Course {
	c, err := course.Load(lab.Course, "")
	if err != nil || len(c.Labs) < 2 {
		b.Logf("built-in course unusable (%v): using the fixture", err)
		return fixtureCourse(b)
	}
	return c
}

// BenchmarkFirstFrame: load the course, build the app, read progress, take the window size and
// draw the first frame of the home screen — what `lab` does before the learner sees anything.
func BenchmarkFirstFrame(b *testing.B) {
	c0 := benchCourse(b)
	ws := newWorkspace(b, c0, c0.Labs[0].ID)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c, err := course.Load(lab.Course, "")
		if err != nil {
			c = c0
		}
		m := New(Options{Course: c, Workspace: func(bool) (*workspaceT, error) { return ws, nil }, Theme: "dark"})
		m.Update(m.loadState()())
		m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		_ = m.View()
	}
}

// BenchmarkFirstFrameLesson is `lab start N`: the first frame of a lesson screen (the lesson
// text itself arrives from a Cmd right after).
func BenchmarkFirstFrameLesson(b *testing.B) {
	c := benchCourse(b)
	for i := 0; i < b.N; i++ {
		m := New(Options{Course: c, Lab: c.Labs[0], Theme: "dark"})
		m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		_ = m.View()
	}
}

func lessonModelAt(b *testing.B, c *course.Course) *Model {
	m := New(Options{Course: c, Lab: c.Labs[0], Theme: "dark"})
	_, cmd := m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	drive(b, m, cmd, 10*time.Second)
	drive(b, m, m.lesson.ensureRendered(m), 10*time.Second)
	return m
}

// BenchmarkSwitchLessonCached: ] then [ between two lessons already rendered (the usual case:
// neighbours are prefetched), key to drawn frame.
func BenchmarkSwitchLessonCached(b *testing.B) {
	c := benchCourse(b)
	m := lessonModelAt(b, c)
	for _, k := range []string{"]", "["} { // warm both
		_, cmd := m.Update(press(k))
		drive(b, m, cmd, 10*time.Second)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := "]"
		if i%2 == 1 {
			k = "["
		}
		m.Update(press(k))
		if m.lesson.shown.Lab != m.lesson.lab.ID {
			b.Fatal("not from the cache")
		}
		_ = m.View()
	}
}

// BenchmarkSwitchLessonCold: switching to a lesson never rendered at this width: key, glamour
// render (in its Cmd), frame with the text.
func BenchmarkSwitchLessonCold(b *testing.B) {
	c := benchCourse(b)
	m := lessonModelAt(b, c)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.cache = newRenderCache()
		k := "]"
		if i%2 == 1 {
			k = "["
		}
		_, cmd := m.Update(press(k))
		for cmd != nil {
			msg := cmd()
			if r, ok := msg.(renderedMsg); ok {
				m.lesson.rendered(m, r)
				break
			}
			if bm, ok := msg.(tea.BatchMsg); ok && len(bm) > 0 {
				cmd = bm[0]
				continue
			}
			break
		}
		_ = m.View()
	}
}

// BenchmarkRenderRealLesson renders the longest lesson of the built-in course at 100 columns:
// the cost of a cold lesson switch, paid in a Cmd off the Update path.
func BenchmarkRenderRealLesson(b *testing.B) {
	ents, _ := fs.ReadDir(lab.Course, "lessons")
	var src []byte
	for _, e := range ents {
		if d, err := fs.ReadFile(lab.Course, "lessons/"+e.Name()); err == nil && len(d) > len(src) {
			src = d
		}
	}
	if src == nil {
		b.Skip("no lessons yet")
	}
	b.Logf("%d lines", bytes.Count(src, []byte("\n")))
	l := &course.Lesson{Source: src}
	for i := 0; i < b.N; i++ {
		if _, err := renderLesson(l, 100, "dark"); err != nil {
			b.Fatal(err)
		}
	}
}
