package checker

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/learnlab/lab/internal/course"
)

// A task titled one way in the lesson and another in lab.toml is flagged at the lesson's line.
func TestDevCheckFlagsTaskTitleMismatch(t *testing.T) {
	m := fixtureMap(t)
	p := "lessons/01-tiny.md"
	m[p] = &fstest.MapFile{Data: []byte(strings.Replace(string(m[p].Data), "— Add two numbers", "— Sum two numbers", 1))}
	c, err := course.Load(m, "")
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(devCheckTaskText(c, c.Labs[0]), "\n")
	want := `task "add" is titled "Sum two numbers" in the lesson and "Add two numbers" in labs/01-tiny/lab.toml:`
	if !strings.Contains(got, want) || !strings.Contains(got, "lessons/01-tiny.md:") {
		t.Errorf("problems:\n%s\nwant %q", got, want)
	}
}
