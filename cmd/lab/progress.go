package main

import (
	"fmt"

	"github.com/spf13/cobra"
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
			w, err := a.workspace(false)
			if err != nil {
				return err
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
			fmt.Fprintf(a.out, "%d of %d tasks passing across %d labs. Workspace: %s\n", done, total, len(c.Labs), relPath(a.cwd, w.Dir))
			if s.Current != "" {
				if l, err := c.Resolve(s.Current); err == nil {
					fmt.Fprintf(a.out, "Continue: lab check %d\n", l.Number)
				}
			}
			return nil
		},
	}
}
