package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/learnlab/lab/internal/course"
	"github.com/learnlab/lab/internal/workspace"
)

func newProgressCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "progress",
		Short: "Show your progress per lab and task",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.course()
			if err != nil {
				return err
			}
			w, err := workspace.Find(a.cwd, false)
			if err != nil {
				return a.noWorkspace(err)
			}
			s := a.state(w)
			done, total := 0, 0
			for _, l := range c.Labs {
				total += len(l.Tasks)
				ls := s.Labs[l.ID]
				if ls == nil {
					continue
				}
				fmt.Fprintf(a.out, "%02d %s  %s\n", l.Number, l.Heading(), progressCell(l, s))
				for _, t := range l.Tasks {
					mark, note := "·", "not checked yet"
					if ts := ls.Tasks[t.ID]; ts != nil {
						switch {
						case ts.Status == "pass":
							mark, note = "✓", "passing"
							done++
						case ts.PassedOnce:
							mark, note = "✗", ts.Status+" (was passing)"
						default:
							mark, note = "✗", ts.Status
						}
					}
					fmt.Fprintf(a.out, "  %s %-22s %s\n", mark, t.ID, note)
				}
				fmt.Fprintln(a.out)
			}
			fmt.Fprintf(a.out, "%d of %d tasks passing across %d labs. Workspace: %s\n", done, total, len(c.Labs), displayPath(w.Dir))
			fmt.Fprintln(a.out, nextStep(c, s, w.Started))
			return nil
		},
	}
}

// nextStep is the one thing to do next: go on with the current lab while it has tasks to
// pass; once it is done, the next started lab that is not finished (after it, then before it),
// else the next lab not started yet.
func nextStep(c *course.Course, s *workspace.State, started func(labID string) bool) string {
	cur := -1
	for i, l := range c.Labs {
		if l.ID == s.Current {
			cur = i
		}
	}
	if cur >= 0 && !labDone(c.Labs[cur], s) {
		l := c.Labs[cur]
		return fmt.Sprintf("Continue: %02d %s — `lab check %d` (`lab start %d` opens the lesson)", l.Number, l.Heading(), l.Number, l.Number)
	}
	order := append(append([]*course.Lab{}, c.Labs[cur+1:]...), c.Labs[:max(cur, 0)]...)
	for _, l := range order {
		if started(l.ID) && !labDone(l, s) {
			return fmt.Sprintf("Continue: %02d %s — `lab check %d` (`lab start %d` opens the lesson)", l.Number, l.Heading(), l.Number, l.Number)
		}
	}
	for _, l := range order {
		if !started(l.ID) {
			prefix := "Next"
			if cur >= 0 {
				prefix = fmt.Sprintf("%02d is done. Next", c.Labs[cur].Number)
			}
			return fmt.Sprintf("%s: %02d %s — `lab start %d`", prefix, l.Number, l.Heading(), l.Number)
		}
	}
	return "Every lab passes: you finished the course. Well done!"
}

// labDone reports whether every task of the lab passed at its last check.
func labDone(l *course.Lab, s *workspace.State) bool { return passedTasks(l, s) == len(l.Tasks) }
