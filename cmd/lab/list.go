package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/learnlab/lab/internal/course"
	"github.com/learnlab/lab/internal/workspace"
)

func newListCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the labs with their services and your progress",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.course()
			if err != nil {
				return err
			}
			printList(a, c, a.progress())
			return nil
		},
	}
}

// progress returns the learner's state, or nil when there is no workspace yet.
func (a *app) progress() *workspace.State {
	w, err := workspace.Find(a.cwd, false)
	if err != nil {
		return nil
	}
	return a.state(w)
}

func printList(a *app, c *course.Course, s *workspace.State) {
	tw := tabwriter.NewWriter(a.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "LAB\tTOPIC — PROJECT\tSERVICES\tPROGRESS")
	for _, l := range c.Labs {
		svc := strings.Join(l.Services, ", ")
		if svc == "" {
			svc = "-"
		}
		fmt.Fprintf(tw, "%02d\t%s\t%s\t%s\n", l.Number, l.Heading(), svc, progressCell(l, s))
	}
	tw.Flush()
	if len(c.Labs) > 0 {
		l := c.Labs[len(c.Labs)/2]
		fmt.Fprintf(a.out, "\nStart one by number or name: `lab start %d` or `lab start %s`; `lab` opens the workbench.\n", l.Number, l.Slug)
	}
}

// progressCell is "3/5", "5/5 ✓" (done) or "-" (not started).
func progressCell(l *course.Lab, s *workspace.State) string {
	if s == nil || s.Labs[l.ID] == nil {
		return "-"
	}
	passed := passedTasks(l, s)
	cell := fmt.Sprintf("%d/%d", passed, len(l.Tasks))
	if passed == len(l.Tasks) {
		cell += " ✓"
	}
	return cell
}

// passedTasks counts the lab's tasks that passed at their last check.
func passedTasks(l *course.Lab, s *workspace.State) int {
	passed := 0
	if s == nil || s.Labs[l.ID] == nil {
		return 0
	}
	for _, t := range l.Tasks {
		if ts := s.Labs[l.ID].Tasks[t.ID]; ts != nil && ts.Status == "pass" {
			passed++
		}
	}
	return passed
}
