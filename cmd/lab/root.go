package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/learnlab/lab/internal/theme"
)

func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "lab",
		Short: "A terminal workbench for learning back-end engineering in Go",
		Long: `lab teaches back-end engineering by doing: each lesson comes with a runnable Go
service to finish, graded by hidden tests against real Redis and PostgreSQL.

Start with:  lab start 1     then edit the code and run:  lab check`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runHome(cmd.Context(), a)
		},
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			// Authors must see every problem of their course; learners can use the labs that load.
			a.strict = cmd.Name() == "new" || (cmd.Name() == "check" && cmd.Parent().Name() == "dev")
			if t := a.getenv("LAB_THEME"); !theme.Valid(t) {
				return usageErr(fmt.Errorf("unknown theme %q (--theme or $LAB_THEME): use auto, dark or light", t))
			}
			return nil
		},
	}
	root.PersistentFlags().StringVar(&a.theme, "theme", "", "colours for a `dark` or `light` terminal, or auto: ask the terminal (also $LAB_THEME; COLORFGBG and GLAMOUR_STYLE are honoured)")
	root.PersistentFlags().StringVar(&a.coursePath, "course", a.coursePath, "use the course in `DIR` instead of the built-in one (also $LAB_COURSE)")
	root.SetIn(a.in)
	root.SetOut(a.out)
	root.SetErr(a.errOut)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageErr(err) })
	root.AddCommand(
		newListCmd(a),
		newStartCmd(a),
		newHintCmd(a),
		newResetCmd(a),
		newProgressCmd(a),
		newVersionCmd(a),
		newNewCmd(a),
		newCICmd(a),
		newGradeCmd(a),
		newCheckCmd(a),
		newDevCmd(a),
		newServicesCmd(a),
		newWatchCmd(a),
	)
	return root
}
