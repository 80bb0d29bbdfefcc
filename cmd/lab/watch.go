package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/learnlab/lab/internal/checker"
	"github.com/learnlab/lab/internal/course"
	"github.com/learnlab/lab/internal/report"
	"github.com/learnlab/lab/internal/watch"
	"github.com/learnlab/lab/internal/workspace"
)

func newWatchCmd(a *app) *cobra.Command {
	var poll bool
	cmd := &cobra.Command{
		Use:   "watch [lab]",
		Short: "Re-check a lab every time you save",
		Long: `Checks the lab, then checks it again after every save (200 ms after the last write),
printing the report each time. Ctrl-C stops.

Saves are seen through the OS file watcher; where it cannot start (inotify limits, network
or WSL-mounted folders) lab polls the folder instead and says so. --poll forces polling
(also LAB_WATCH_POLL=1).`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			arg := ""
			if len(args) > 0 {
				arg = args[0]
			}
			return runWatch(cmd.Context(), a, arg, poll)
		},
	}
	cmd.Flags().BoolVar(&poll, "poll", false, "poll for changes instead of using the OS file watcher")
	return cmd
}

func runWatch(ctx context.Context, a *app, arg string, poll bool) error {
	c, l, w, err := a.startedLab(arg)
	if err != nil {
		return err
	}
	dir := w.LabDir(l.ID)
	wt, err := watch.New(dir, watch.Options{Poll: poll})
	if err != nil {
		return envErr(err)
	}
	defer wt.Close()

	clear := isTerminal(a)
	trigger := "start"
	for {
		if clear {
			fmt.Fprint(a.out, "\x1b[H\x1b[2J")
		}
		fmt.Fprintf(a.out, "lab watch %s · %s · %s\n\n", l.ID, time.Now().Format("15:04:05"), trigger)
		wt.Pause() // what happens during the run is not a save to react to
		pl := newPhaseLine(a.out, "Checking…")
		rep, err := watchCheck(ctx, a, c, l, w, dir, pl.Event)
		pl.Close()
		wt.Resume()
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, checker.ErrEnvironment):
			return envErr(err)
		case err != nil:
			fmt.Fprintln(a.errOut, "lab:", err)
		default:
			hints := map[string]int{}
			if ls := a.state(w).Labs[l.ID]; ls != nil {
				hints = ls.Hints
			}
			opts := report.TextOptions{HintsShown: hints, NextLab: a.nextLab(l), Topic: l.Topic}
			report.Text(a.reportOutput(&opts), rep, opts)
		}
		fmt.Fprintf(a.out, "\n%s. Save a file to check again; Ctrl-C stops.\n", capitalize(wt.Describe()))

		select {
		case <-ctx.Done():
			return nil
		case ch, ok := <-wt.Changes():
			if !ok {
				return nil
			}
			trigger = "saved " + strings.Join(firstN(ch.Paths, 3), ", ")
		}
	}
}

// watchCheck runs one check and records it in progress, as `lab check` does.
func watchCheck(ctx context.Context, a *app, c *course.Course, l *course.Lab, w *workspace.Workspace, dir string, progress func(checker.Event)) (*checker.Report, error) {
	rep, err := checker.Run(ctx, checker.Options{Course: c, Lab: l, Dir: dir, Services: a.services(), Progress: progress,
		PassedBefore: checker.PassedBefore(a.state(w), l.ID)})
	if err != nil {
		return nil, err
	}
	if err := checker.Record(w, rep, time.Now().UTC()); err != nil {
		fmt.Fprintln(a.errOut, "lab: warning: progress not saved:", err)
	}
	return rep, nil
}

func firstN(s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	return append(append([]string{}, s[:n]...), fmt.Sprintf("+%d more", len(s)-n))
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
