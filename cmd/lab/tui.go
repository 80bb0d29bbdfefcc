package main

import (
	"context"
	"errors"
	"os"

	"github.com/learnlab/lab/internal/course"
	"github.com/learnlab/lab/internal/tui"
	"github.com/learnlab/lab/internal/workspace"
)

// runTUI opens the workbench: on the home screen when l is nil, else on l's lesson.
func runTUI(ctx context.Context, a *app, l *course.Lab) error {
	c, err := a.course()
	if err != nil {
		return err
	}
	return tui.Run(ctx, tui.Options{
		Course: c,
		Lab:    l,
		Workspace: func(create bool) (*workspace.Workspace, error) {
			return workspace.Find(a.cwd, create)
		},
		Check: tui.RealChecker(c, a.services()),
		Theme: os.Getenv("LAB_THEME"), // "light" or "dark" when the terminal does not say
	})
}

// errNoTUI was returned while the workbench was not built in; callers still test for it.
var errNoTUI = errors.New("the workbench is not available in this build")
