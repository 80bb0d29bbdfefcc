package main

import (
	"context"
	"os"

	"github.com/learnlab/lab/internal/course"
	"github.com/learnlab/lab/internal/tui"
	"github.com/learnlab/lab/internal/workspace"
)

// runTUI opens the workbench: on l's lesson; when l is nil, on the lesson of the lab folder lab
// was started in (as `lab check` picks that lab), else on the home screen.
func runTUI(ctx context.Context, a *app, l *course.Lab) error {
	c, err := a.course()
	if err != nil {
		return err
	}
	if l == nil {
		// A few stats: cheap enough before the first frame.
		if w, err := workspace.Find(a.cwd, false); err == nil {
			if id := w.LabAt(a.cwd); id != "" {
				l, _ = c.Resolve(id)
			}
		}
	}
	return tui.Run(ctx, tui.Options{
		Course: c,
		Lab:    l,
		Dir:    a.cwd,
		Workspace: func(create bool) (*workspace.Workspace, error) {
			return workspace.Find(a.cwd, create)
		},
		Check: tui.RealChecker(c, a.services()),
		Theme: os.Getenv("LAB_THEME"), // "light" or "dark" when the terminal does not say
		Out:   a.out,
	})
}
