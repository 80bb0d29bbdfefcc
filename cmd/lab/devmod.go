package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/learnlab/lab/internal/course"
	"github.com/learnlab/lab/internal/workspace"
)

func newDevModCmd(a *app) *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "mod [lab|--all]",
		Short: "Write each lab's lab.mod and lab.sum: the go.mod a learner's folder gets",
		Long: `Runs ` + "`go mod tidy`" + ` in the course (so its go.mod requires what the labs import), then
writes labs/NN-slug/lab.mod and lab.sum: the course's requirements cut down to what the lab's
starter and reference solution import, at the versions the course pins. ` + "`lab start`" + ` copies
them into the learner's folder, so the libraries the solution uses are there for the learner
too; ` + "`lab check`" + ` adds what the hidden tests need when it grades. ` + "`lab dev check`" + ` fails
when they are stale: run this after changing a starter's or solution's imports or the
course's go.mod.

Works offline when the module cache holds the course's modules (GOPROXY=off proves it).`,
		Example: `  lab --course . dev mod --all
  lab --course ~/my-course dev mod 13`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if all == (len(args) == 1) {
				return usageErr(errors.New("name a lab or give --all"))
			}
			arg := ""
			if len(args) == 1 {
				arg = args[0]
			}
			return runDevMod(cmd.Context(), a, arg)
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "every lab of the course")
	return cmd
}

// runDevMod tidies the course module and writes lab.mod and lab.sum for one lab ("" for all).
func runDevMod(ctx context.Context, a *app, arg string) error {
	if a.coursePath == "" {
		return usageErr(errors.New("lab dev mod writes into a course on disk: name it with --course DIR (in lab's own repository: --course .)"))
	}
	root, err := filepath.Abs(a.coursePath)
	if err != nil {
		return usageErr(err)
	}
	if err := tidyCourse(ctx, root); err != nil {
		return envErr(fmt.Errorf("go mod tidy in the course: %w (a module lab does not pin needs the network once)", err))
	}
	return writeLabMods(ctx, a, root, arg)
}

// writeLabMods writes lab.mod and lab.sum of one lab ("" for all) of the course in root, whose
// go.mod is tidy.
func writeLabMods(ctx context.Context, a *app, root, arg string) error {
	if a.coursePath == "" {
		a.coursePath = root
	}
	a.loaded = nil // the course's go.mod may have changed
	c, err := a.course()
	if err != nil {
		return err
	}
	labs := c.Labs
	if arg != "" {
		l, err := a.lab(c, arg)
		if err != nil {
			return err
		}
		labs = []*course.Lab{l}
	}
	for _, l := range labs {
		gomod, gosum, err := workspace.TidyModFiles(ctx, c, l)
		if err != nil {
			return envErr(err)
		}
		if bytes.Equal(gomod, l.GoMod) && bytes.Equal(gosum, l.GoSum) {
			fmt.Fprintf(a.out, "  %s/%s is up to date\n", l.Dir, course.LabModFile)
			continue
		}
		dir := filepath.Join(root, filepath.FromSlash(l.Dir))
		if err := os.WriteFile(filepath.Join(dir, course.LabModFile), gomod, 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, course.LabSumFile), gosum, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(a.out, "  wrote %s/%s and %s\n", l.Dir, course.LabModFile, course.LabSumFile)
	}
	return nil
}
