package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/learnlab/lab/internal/checker"
	"github.com/learnlab/lab/internal/course"
)

func newDevCmd(a *app) *cobra.Command {
	dev := &cobra.Command{
		Use:   "dev",
		Short: "Tools for course authors",
	}
	var all bool
	var parallel int
	var vopts checker.DevOptions
	check := &cobra.Command{
		Use:   "check [lab|--all]",
		Short: "Validate labs: manifest, tests ↔ tasks, hints, TODOs, starter fails, solution passes",
		Long: `Validates labs the way CI does: the manifest and lesson parse; every Test in check/
belongs to exactly one task and every listed test exists; every task has a lesson section, a
hint and a TODO marker in the starter; the starter builds, passes go vet and fails every
task; the solution passes every task.

The hidden tests are themselves tested: every wrong variant in check/wrong/<name>/ (the
solution with one plausible bug) must be refused by the task its variant.toml names, and every
alternative solution in check/alt/<name>/ must pass every task. --count N grades the solution,
the alternatives and the wrong variants N times each, so a test that catches a race only when
the scheduler is kind shows up as a refusal rate below 100 %. Exit status 1 when a lab has
problems.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if all == (len(args) == 1) {
				return usageErr(errors.New("name a lab or give --all"))
			}
			vopts.Parallel = parallel
			return runDevCheck(cmd.Context(), a, args, vopts)
		},
	}
	check.Flags().BoolVar(&all, "all", false, "validate every lab of the course")
	check.Flags().IntVar(&parallel, "parallel", 2, "labs to validate at once")
	check.Flags().IntVar(&vopts.Count, "count", 1, "grade the solution, alternatives and wrong variants this many times each")
	check.Flags().IntVar(&vopts.RaceCount, "race-count", 0, "times to grade wrong variants marked race = true (default: --count)")
	check.Flags().BoolVarP(&vopts.Verbose, "verbose", "v", false, "show every test's result and output on the starter, the solution and each variant")
	check.Flags().BoolVar(&vopts.RequireVariants, "require-variants", false, "a task without a wrong variant, or a lab with fewer than two alternatives, is a problem")
	dev.AddCommand(check, newDevWarmCmd(a), newDevModCmd(a))
	return dev
}

func runDevCheck(ctx context.Context, a *app, args []string, opts checker.DevOptions) error {
	c, err := a.course()
	if err != nil {
		return err
	}
	var labs []*course.Lab
	if len(args) == 1 {
		l, err := a.lab(c, args[0])
		if err != nil {
			return err
		}
		labs = []*course.Lab{l}
	}
	bad := 0
	opts.Course, opts.Labs, opts.Services = c, labs, a.services()
	opts.Done = func(r checker.DevResult) {
		printDevParts(a, r.Parts)
		switch {
		case r.Skipped != "":
			fmt.Fprintf(a.out, "- %s: skipped: %s\n", r.Lab.ID, r.Skipped)
		case r.OK():
			fmt.Fprintf(a.out, "✓ %s (%.1fs)\n", r.Lab.ID, r.Duration.Seconds())
			for _, line := range r.Coverage {
				fmt.Fprintf(a.out, "    %s\n", line)
			}
		default:
			fmt.Fprintf(a.out, "✗ %s (%.1fs)\n", r.Lab.ID, r.Duration.Seconds())
			for _, p := range r.Problems {
				fmt.Fprintf(a.out, "    %s\n", strings.ReplaceAll(p, "\n", "\n      "))
			}
		}
	}
	res, err := checker.DevCheck(ctx, opts)
	if err != nil {
		if errors.Is(err, checker.ErrEnvironment) {
			return envErr(err)
		}
		return err
	}
	for _, r := range res {
		if !r.OK() {
			bad++
		}
	}
	if bad > 0 {
		fmt.Fprintf(a.out, "%d of %d lab(s) have problems\n", bad, len(res))
		return failed()
	}
	fmt.Fprintf(a.out, "%d lab(s) OK\n", len(res))
	return nil
}

// printDevParts shows, for `lab dev check -v`, what each graded run did test by test: what an
// author needs to see why a starter fails the way it does, or why a variant slips through.
func printDevParts(a *app, parts []checker.DevPart) {
	for _, p := range parts {
		r := p.Report
		fmt.Fprintf(a.out, "── %s %s: %d/%d tasks pass (%s)\n", r.Lab, p.Name, r.Passed(), len(r.Tasks), r.Status)
		if r.Message != "" {
			fmt.Fprintf(a.out, "   %s\n", strings.ReplaceAll(r.Message, "\n", "\n   "))
		}
		for _, t := range r.Tasks {
			for _, tt := range t.Tests {
				fmt.Fprintf(a.out, "   %-5s %s (task %s)\n", tt.Status, tt.Name, t.ID)
				for _, text := range []string{tt.Message, tt.Output} {
					if text = strings.TrimSpace(text); text != "" {
						fmt.Fprintf(a.out, "         %s\n", strings.ReplaceAll(text, "\n", "\n         "))
					}
				}
			}
		}
	}
}
