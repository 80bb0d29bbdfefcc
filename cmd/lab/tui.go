package main

import (
	"context"
	"errors"

	"github.com/learnlab/lab/internal/course"
)

// runTUI opens the workbench. (Placeholder until internal/tui lands; the TUI engineer replaces
// this file.)
func runTUI(ctx context.Context, a *app, l *course.Lab) error { return errNoTUI }

var errNoTUI = errors.New("the workbench is not available in this build")
