package main

import (
	"context"
	"os"
	"strings"

	"github.com/learnlab/lab/internal/course"
	"github.com/learnlab/lab/internal/theme"
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
		Check:        tui.RealChecker(c, a.services()),
		Theme:        themeName(a),
		GlamourStyle: glamourStyle(),
		Out:          a.out,
	})
}

// themeName is "dark" or "light" when --theme, $LAB_THEME, $GLAMOUR_STYLE or $COLORFGBG says
// which; "" lets the workbench ask the terminal.
func themeName(a *app) string {
	dark, ok := theme.FromEnv(a.getenv)
	switch {
	case !ok:
		return ""
	case dark:
		return "dark"
	}
	return "light"
}

// glamourStyle is $GLAMOUR_STYLE when it names a lesson style of its own (dracula, notty, a
// JSON file); dark and light only choose the palette, through themeName.
func glamourStyle() string {
	s := strings.TrimSpace(os.Getenv("GLAMOUR_STYLE"))
	if _, ok := theme.Parse(s); ok || theme.Valid(s) {
		return ""
	}
	return s
}
