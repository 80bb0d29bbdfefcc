package main

import (
	"context"
	"fmt"
)

// runHome is `lab` with no arguments: the workbench in a terminal, else the list and what to
// type next.
func runHome(ctx context.Context, a *app) error {
	c, err := a.course()
	if err != nil {
		return err
	}
	if isTerminal(a) {
		return runTUI(ctx, a, nil)
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
