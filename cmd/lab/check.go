package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/mod/modfile"

	"github.com/spf13/cobra"

	"github.com/learnlab/lab/internal/checker"
	"github.com/learnlab/lab/internal/course"
	"github.com/learnlab/lab/internal/report"
	"github.com/learnlab/lab/internal/sandbox"
	"github.com/learnlab/lab/internal/workspace"
)

type checkOptions struct {
	json    bool
	junit   string
	timeout time.Duration
	verbose bool
	all     bool
	sandbox sandboxFlags
	backend sandbox.Backend // chosen from sandbox before the first check
}

func newCheckCmd(a *app) *cobra.Command {
	var o checkOptions
	cmd := &cobra.Command{
		Use:   "check [lab]",
		Short: "Grade your code for a lab with its hidden tests",
		Long: `Grades your copy of a lab (the lab of the current folder, or the last one you
started, when none is named) with the lab's hidden tests. Your own *_test.go files are left
out of the check, and nothing is written into your folder. In a lab where you write the tests
(like lab 11), it is the other way round: your tests are run against the correct code and
against planted bugs, and they pass a task when they accept the one and catch every other.

Exit status: 0 every task passes, 1 some task fails, 2 usage, 3 environment (Go or a service missing),
130 interrupted (Ctrl-C), 129 terminal closed, 143 killed (TERM).`,
		Example: `  lab check
  lab check 5
  lab check 5 --json
  lab check 5 --junit results.xml`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if o.backend, err = o.sandbox.backend(cmd.Context(), inCI()); err != nil {
				return err
			}
			if o.all {
				if len(args) > 0 {
					return usageErr(errors.New("--all grades every started lab: name no lab with it"))
				}
				return runCheckAll(cmd, a, o)
			}
			arg := ""
			if len(args) > 0 {
				arg = args[0]
			}
			return runCheck(cmd, a, arg, o)
		},
	}
	cmd.Flags().BoolVar(&o.all, "all", false, "grade every lab started in the workspace (for CI and autograding)")
	cmd.Flags().BoolVar(&o.json, "json", false, "print the results as JSON (exercism results v3 style) instead of text")
	cmd.Flags().StringVar(&o.junit, "junit", "", "also write the results as JUnit XML to `FILE`")
	cmd.Flags().DurationVar(&o.timeout, "timeout", 0, "time limit for the tests (default: the lab's)")
	cmd.Flags().BoolVarP(&o.verbose, "verbose", "v", false, "show every failing test, not only the first of each task")
	o.sandbox.add(cmd, "on by default when CI=true")
	return cmd
}

func runCheck(cmd *cobra.Command, a *app, arg string, o checkOptions) error {
	c, l, w, err := a.startedLab(arg)
	if err != nil {
		return err
	}
	if err := junitWritable(o.junit); err != nil {
		return err
	}
	r, err := checkLab(cmd.Context(), a, c, w, l, o)
	if err != nil {
		return err
	}
	if o.json {
		err = report.JSON(a.out, r)
	} else {
		err = printText(a, w, l, r, o)
	}
	if err != nil {
		return err
	}
	if err := writeJUnit(o.junit, r); err != nil {
		return err
	}
	if r.Status != checker.Pass {
		return failed()
	}
	return nil
}

// runCheckAll grades every started lab, one after the other, for CI and autograding: one JUnit
// file with a suite per lab, and with --json an array of results.
func runCheckAll(cmd *cobra.Command, a *app, o checkOptions) error {
	c, err := a.course()
	if err != nil {
		return err
	}
	w, err := a.workspace(false)
	if err != nil {
		return err
	}
	if err := junitWritable(o.junit); err != nil {
		return err
	}
	var reports []*checker.Report
	for _, l := range c.Labs {
		if !w.Started(l.ID) {
			continue
		}
		r, err := checkLab(cmd.Context(), a, c, w, l, o)
		if err != nil {
			return err
		}
		reports = append(reports, r)
		if !o.json {
			if err := printText(a, w, l, r, o); err != nil {
				return err
			}
			fmt.Fprintln(a.out)
		}
	}
	if len(reports) == 0 {
		return usageErr(errors.New("no lab is started in this workspace: run `lab start 1`"))
	}
	allPass, passed, total := true, 0, 0
	for _, r := range reports {
		passed += r.Passed()
		total += len(r.Tasks)
		allPass = allPass && r.Status == checker.Pass
	}
	if o.json {
		var results []report.Results
		for _, r := range reports {
			results = append(results, report.ToResults(r))
		}
		enc := json.NewEncoder(a.out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(results); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(a.out, "All labs: %d/%d tasks passed in %d lab(s)\n", passed, total, len(reports))
	}
	if err := writeJUnit(o.junit, reports...); err != nil {
		return err
	}
	if !allPass {
		return failed()
	}
	return nil
}

// checkLab runs one check and records its progress.
func checkLab(ctx context.Context, a *app, c *course.Course, w *workspace.Workspace, l *course.Lab, o checkOptions) (*checker.Report, error) {
	st := a.state(w)
	var progress func(checker.Event)
	if !o.json {
		dir := w.LabDir(l.ID)
		where := relPath(a.cwd, dir)
		if where == "." {
			where = "this folder"
		}
		pl := newPhaseLine(a.errOut, fmt.Sprintf("Checking %s in %s", l.ID, where))
		if root, mod := moduleAt(a.cwd); root != "" && root != dir {
			pl.Say(fmt.Sprintf("note: you are in Go module %s (%s), not in the lab: lab grades %s, not the code here.", mod, relPath(a.cwd, root), relPath(a.cwd, dir)))
		}
		defer pl.Close()
		progress = pl.Event
	}
	r, err := checker.Run(ctx, checker.Options{
		Course: c, Lab: l, Dir: w.LabDir(l.ID), Services: a.services(), Progress: progress,
		PassedBefore: checker.PassedBefore(st, l.ID), Timeout: o.timeout, Sandbox: o.backend,
	})
	if err != nil {
		if errors.Is(err, checker.ErrEnvironment) {
			return nil, envErr(err)
		}
		if ctx.Err() != nil {
			return nil, &exitError{exitFail, errors.New("check interrupted")}
		}
		return nil, err
	}
	if err := checker.Record(w, r, time.Now().UTC()); err != nil {
		fmt.Fprintln(a.errOut, "lab: warning: could not save progress:", err)
	}
	return r, nil
}

func printText(a *app, w *workspace.Workspace, l *course.Lab, r *checker.Report, o checkOptions) error {
	hints := map[string]int{}
	if ls := a.state(w).Labs[l.ID]; ls != nil && ls.Hints != nil {
		hints = ls.Hints
	}
	opts := report.TextOptions{HintsShown: hints, Verbose: o.verbose, NextLab: a.nextLab(l), Topic: l.Topic}
	return report.Text(a.reportOutput(&opts), r, opts)
}

// moduleAt finds the Go module the folder belongs to: the root folder (the nearest go.mod at or
// above dir) and its module path, or "" when there is none.
func moduleAt(dir string) (root, path string) {
	for d := dir; ; {
		if data, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil {
			return d, modfile.ModulePath(data)
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", ""
		}
		d = parent
	}
}

// junitWritable refuses a --junit path that cannot be written before the check runs, rather
// than after minutes of tests. It leaves an existing file as it is and no new one behind.
func junitWritable(path string) error {
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if errors.Is(err, os.ErrNotExist) {
		if f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644); err == nil {
			defer os.Remove(path)
		}
	}
	if err != nil {
		return envErr(fmt.Errorf("--junit %s cannot be written (%w): give a file in a folder that exists and that you may write to", path, err))
	}
	return f.Close()
}

// writeJUnit writes the reports to path ("" writes nothing); the report is printed before it,
// so a failure here never hides the grades.
func writeJUnit(path string, reports ...*checker.Report) error {
	if path == "" {
		return nil
	}
	if err := writeFileWith(path, func(f *os.File) error { return report.JUnit(f, reports...) }); err != nil {
		return envErr(fmt.Errorf("write %s: %w (the report above is complete)", path, err))
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

// nextLab is the number of the course's lab after l, or 0 after the last one.
func (a *app) nextLab(l *course.Lab) *int {
	next := 0
	if c, err := a.course(); err == nil {
		for _, o := range c.Labs {
			if o.Number > l.Number {
				next = o.Number
				break
			}
		}
	}
	return &next
}
