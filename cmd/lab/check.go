package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/learnlab/lab/internal/checker"
	"github.com/learnlab/lab/internal/report"
)

type checkOptions struct {
	json    bool
	junit   string
	timeout time.Duration
	verbose bool
}

func newCheckCmd(a *app) *cobra.Command {
	var o checkOptions
	cmd := &cobra.Command{
		Use:   "check [lab]",
		Short: "Grade your code for a lab with its hidden tests",
		Long: `Grades your copy of a lab (the lab of the current folder, or the last one you
started, when none is named) with the lab's hidden tests. Your own *_test.go files are left
out of the check, and nothing is written into your folder.

Exit status: 0 every task passes, 1 some task fails, 2 usage, 3 environment (Go or a service missing).`,
		Example: `  lab check
  lab check 5
  lab check 5 --json
  lab check 5 --junit results.xml`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			arg := ""
			if len(args) > 0 {
				arg = args[0]
			}
			return runCheck(cmd, a, arg, o)
		},
	}
	cmd.Flags().BoolVar(&o.json, "json", false, "print the results as JSON (exercism results v3 style) instead of text")
	cmd.Flags().StringVar(&o.junit, "junit", "", "also write the results as JUnit XML to `FILE`")
	cmd.Flags().DurationVar(&o.timeout, "timeout", 0, "time limit for the tests (default: the lab's)")
	cmd.Flags().BoolVarP(&o.verbose, "verbose", "v", false, "show every failing test, not only the first of each task")
	return cmd
}

func runCheck(cmd *cobra.Command, a *app, arg string, o checkOptions) error {
	ctx := cmd.Context()
	c, err := a.course()
	if err != nil {
		return err
	}
	l, err := a.lab(c, arg)
	if err != nil {
		return err
	}
	w, err := a.workspace(false)
	if err != nil {
		return usageErr(fmt.Errorf("%s is not started: run `lab start %d`", l.ID, l.Number))
	}
	if !w.Started(l.ID) {
		return usageErr(fmt.Errorf("%s is not started: run `lab start %d`", l.ID, l.Number))
	}
	st := a.state(w)
	if !o.json {
		fmt.Fprintf(a.errOut, "Checking %s…\n", l.ID)
	}
	r, err := checker.Run(ctx, checker.Options{
		Course: c, Lab: l, Dir: w.LabDir(l.ID), Services: a.services(),
		PassedBefore: checker.PassedBefore(st, l.ID), Timeout: o.timeout,
	})
	if err != nil {
		if errors.Is(err, checker.ErrEnvironment) {
			return envErr(err)
		}
		if ctx.Err() != nil {
			return &exitError{exitFail, errors.New("check interrupted")}
		}
		return err
	}
	if err := checker.Record(w, r, time.Now().UTC()); err != nil {
		fmt.Fprintln(a.errOut, "lab: warning: could not save progress:", err)
	}
	if o.junit != "" {
		if err := writeFileWith(o.junit, func(f *os.File) error { return report.JUnit(f, r) }); err != nil {
			return envErr(fmt.Errorf("write %s: %w", o.junit, err))
		}
	}
	if o.json {
		err = report.JSON(a.out, r)
	} else {
		hints := map[string]int{}
		if ls := st.Labs[l.ID]; ls != nil {
			hints = ls.Hints
		}
		err = report.Text(a.out, r, report.TextOptions{HintsShown: hints, Verbose: o.verbose})
	}
	if err != nil {
		return err
	}
	if r.Status != checker.Pass {
		return failed()
	}
	return nil
}

func writeFileWith(path string, fn func(*os.File) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := fn(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
