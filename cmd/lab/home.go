package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/learnlab/lab/internal/course"
)

// runHome is `lab` with no arguments: the workbench in a terminal, else the list and what to
// type next.
func runHome(ctx context.Context, a *app) error {
	c, err := a.course()
	if err != nil {
		return err
	}
	if isTerminal(a) {
		if err := runTUI(ctx, a, nil); !errors.Is(err, errNoTUI) {
			return err
		}
	}
	s := a.progress()
	printList(a, c, s)
	fmt.Fprintln(a.out)
	if s == nil || s.Current == "" {
		fmt.Fprintln(a.out, "New here? Start the first lab:  lab start 1")
		return nil
	}
	if l, err := c.Resolve(s.Current); err == nil {
		fmt.Fprintf(a.out, "Continue with %s:  lab check %d   (stuck? lab hint %d)\n", l.ID, l.Number, l.Number)
	}
	return nil
}

func openTUI(cmd *cobra.Command, a *app, c *course.Course, l *course.Lab) error {
	err := runTUI(cmd.Context(), a, l)
	if errors.Is(err, errNoTUI) {
		return nil
	}
	return err
}
