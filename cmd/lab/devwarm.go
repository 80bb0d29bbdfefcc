package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/learnlab/lab/internal/checker"
	"github.com/learnlab/lab/internal/course"
)

func newDevWarmCmd(a *app) *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "warm <lab> | --all",
		Short: "Compile labs with their hidden tests, so that first checks find a warm build cache",
		Long: `lab start runs "lab dev warm <lab>" in the background: it compiles the started lab
exactly as its first check will, and a check that starts meanwhile waits for it instead of
compiling the same packages beside it.

--all compiles every lab's starter with its hidden tests (the libraries the labs use, and the
standard library with the flags checks use). For a classroom machine or image: run it once
after installing lab, and no learner's first check waits for a cold build. It takes a few
minutes and about 1 GB of Go build cache.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if all == (len(args) == 1) {
				return usageErr(errors.New("name a lab or give --all"))
			}
			c, err := a.course()
			if err != nil {
				return err
			}
			if all {
				err = checker.WarmAll(cmd.Context(), c, func(l *course.Lab) { fmt.Fprintf(a.out, "warming %s…\n", l.ID) })
			} else {
				err = warmStarted(cmd, a, c, args[0])
			}
			if errors.Is(err, checker.ErrEnvironment) {
				return envErr(err)
			}
			return err
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "warm every lab of the course (no workspace needed)")
	return cmd
}

func warmStarted(cmd *cobra.Command, a *app, c *course.Course, arg string) error {
	l, err := a.lab(c, arg)
	if err != nil {
		return err
	}
	w, err := a.workspace(false)
	if err != nil {
		return err
	}
	if !w.Started(l.ID) {
		return usageErr(fmt.Errorf("%s is not started: run `lab start %d` first, or give --all", l.ID, l.Number))
	}
	return checker.Warm(cmd.Context(), checker.Options{Course: c, Lab: l, Dir: w.LabDir(l.ID)})
}
