package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/learnlab/lab/internal/course"
	"github.com/learnlab/lab/internal/workspace"
)

func newHintCmd(a *app) *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "hint [lab] [task]",
		Short: "Show the next hint for a task (one more each time you ask)",
		Long: `Shows hints one at a time, gentlest first: each call reveals one more for the task.
Without a task, hints are for the first task that is not passing yet.`,
		Args: cobra.MaximumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.course()
			if err != nil {
				return err
			}
			labArg, taskArg := "", ""
			if len(args) > 0 {
				labArg = args[0]
			}
			if len(args) > 1 {
				taskArg = args[1]
			}
			l, err := a.lab(c, labArg)
			if err != nil {
				return err
			}
			w, err := a.workspace(true)
			if err != nil {
				return err
			}
			return showHint(a, w, l, taskArg, all)
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "show every hint of the task at once")
	return cmd
}

func showHint(a *app, w *workspace.Workspace, l *course.Lab, taskID string, all bool) error {
	s := a.state(w)
	var t *course.Task
	if taskID == "" {
		if labDone(l, s) {
			// Nothing to be stuck on: say so instead of replaying the first task's hints.
			fmt.Fprintf(a.out, "Every task of %02d %s passes: this lab is done.\n", l.Number, l.Heading())
			if c, err := a.course(); err == nil {
				fmt.Fprintln(a.out, nextStep(c, s, w.Started))
			}
			fmt.Fprintf(a.out, "To read a task's hints again: lab hint %d <task> (tasks: %s)\n", l.Number, taskIDs(l))
			return nil
		}
		t = firstUnfinished(l, s)
	} else if t = l.Task(taskID); t == nil {
		return usageErr(fmt.Errorf("%s has no task %q; its tasks are %s (like `lab hint %d %s`)", l.ID, taskID, taskIDs(l), l.Number, l.Tasks[0].ID))
	}
	if len(t.Hints) == 0 {
		fmt.Fprintf(a.out, "%s has no hints. Re-read its section in the lesson: \"%s\".\n", t.ID, t.Title)
		return nil
	}
	var shown int
	err := w.Update(func(s *workspace.State) error {
		ls := s.Lab(l.ID)
		if ls.Hints == nil {
			ls.Hints = map[string]int{}
		}
		shown = min(ls.Hints[t.ID]+1, len(t.Hints))
		if all {
			shown = len(t.Hints)
		}
		ls.Hints[t.ID] = shown
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(a.out, "%s — %s\n\n", t.ID, t.Title)
	for i := 0; i < shown; i++ {
		fmt.Fprintf(a.out, "Hint %d/%d: %s\n\n", i+1, len(t.Hints), t.Hints[i])
	}
	if shown < len(t.Hints) {
		fmt.Fprintf(a.out, "Ask again for the next one: lab hint %d %s\n", l.Number, t.ID)
	} else {
		fmt.Fprintln(a.out, "That was the last hint. The task's section in the lesson has the details the tests check.")
	}
	return nil
}

// firstUnfinished is the first task whose last check did not pass (the first task when none
// was checked).
func firstUnfinished(l *course.Lab, s *workspace.State) *course.Task {
	if s != nil {
		if ls := s.Labs[l.ID]; ls != nil {
			for i := range l.Tasks {
				if ts := ls.Tasks[l.Tasks[i].ID]; ts == nil || ts.Status != "pass" {
					return &l.Tasks[i]
				}
			}
		}
	}
	return &l.Tasks[0]
}

// taskIDs lists a lab's task ids for a sentence: "a, b and c".
func taskIDs(l *course.Lab) string {
	ids := make([]string, len(l.Tasks))
	for i, t := range l.Tasks {
		ids[i] = t.ID
	}
	if len(ids) < 2 {
		return strings.Join(ids, "")
	}
	return strings.Join(ids[:len(ids)-1], ", ") + " and " + ids[len(ids)-1]
}
