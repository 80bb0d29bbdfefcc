package main

import (
	"bufio"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/learnlab/lab/internal/workspace"
)

type resetOptions struct {
	task string
	yes  bool
}

func newResetCmd(a *app) *cobra.Command {
	var o resetOptions
	cmd := &cobra.Command{
		Use:   "reset <lab>",
		Short: "Restore a lab (or one task's files) to the starter",
		Long: `Restores the starter's version of a lab, or with --task only of the files that task's
TODOs live in. Your current files are first copied to .lab/backup/ in the workspace, so a
reset never loses work. Progress (passed tasks) is kept.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runReset(a, args[0], o)
		},
	}
	cmd.Flags().StringVar(&o.task, "task", "", "reset only the files of this task")
	cmd.Flags().BoolVarP(&o.yes, "yes", "y", false, "don't ask for confirmation")
	return cmd
}

func runReset(a *app, arg string, o resetOptions) error {
	c, l, w, err := a.startedLab(arg)
	if err != nil {
		return err
	}
	what := "every file of " + l.ID
	if o.task != "" {
		if l.Task(o.task) == nil {
			return usageErr(fmt.Errorf("%s has no task %q", l.ID, o.task))
		}
		files, err := workspace.TaskFiles(c, l, o.task)
		if err != nil {
			return err
		}
		what = fmt.Sprintf("%s in %s (the files of task %s)", strings.Join(files, ", "), l.ID, o.task)
	}
	if !o.yes {
		fmt.Fprintf(a.out, "Restore the starter's version of %s?\nYour current files are backed up first. [y/N] ", what)
		line, err := bufio.NewReader(a.in).ReadString('\n')
		if err != nil && line == "" {
			fmt.Fprintln(a.out)
			return usageErr(errors.New("no answer: nothing was reset (use --yes to skip the question)"))
		}
		if ans := strings.ToLower(strings.TrimSpace(line)); ans != "y" && ans != "yes" {
			fmt.Fprintln(a.out, "Nothing was reset.")
			return nil
		}
	}
	backup, restored, err := w.Reset(c, l, o.task)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.out, "Restored %d file(s) of %s from the starter.\n", len(restored), l.ID)
	fmt.Fprintf(a.out, "Your previous files are in %s\n", relPath(a.cwd, backup))
	return nil
}
