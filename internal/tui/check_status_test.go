package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/learnlab/lab/internal/checker"
	"github.com/learnlab/lab/internal/course"
)

// At 80 columns a long phase (joining `lab start`'s build, a dependency's import path) is cut,
// never the seconds that show a long first check is not hung.
func TestCheckStatusKeepsTheSeconds(t *testing.T) {
	begin := time.Now()
	r := &checkRun{lab: &course.Lab{ID: "05-caching"}, begin: begin, phase: checker.Waiting,
		detail: "the build `lab start` began in the background: this check uses it instead of compiling the same code twice"}
	got := r.describe(begin.Add(42*time.Second), 78)
	if !strings.HasSuffix(got, " · 42s") || ansi.StringWidth(got) > 78 || !strings.HasPrefix(got, "Checking 05-caching · ") {
		t.Errorf("describe at 78 cells = %q (%d cells): want the phase cut and \" · 42s\" kept", got, ansi.StringWidth(got))
	}
	if full := r.describe(begin.Add(42*time.Second), 0); !strings.Contains(full, "compiling the same code twice · 42s") {
		t.Errorf("describe with no width = %q: want it whole", full)
	}
}
