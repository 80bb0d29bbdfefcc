package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/learnlab/lab/internal/classroom"
)

type ciInitOptions struct {
	force   bool
	install string
}

func newCICmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ci",
		Short: "Set up grading in CI for your repository",
	}
	var o ciInitOptions
	initCmd := &cobra.Command{
		Use:   "init",
		Short: "Write a GitHub Actions workflow that grades your labs on every push",
		Long: `Writes .github/workflows/lab.yml at the root of your repository (the nearest folder with
.git above this one). On every push it installs lab, runs ` + "`lab check --all --junit`" + ` with
Docker on the runner for Redis and PostgreSQL, and publishes the grade the way GitHub Classroom
autograding expects.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			root := repoRoot(a.cwd)
			p := filepath.Join(root, ".github", "workflows", "lab.yml")
			if _, err := os.Stat(p); err == nil && !o.force {
				return usageErr(fmt.Errorf("%s exists: use --force to replace it", relPath(a.cwd, p)))
			}
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(p, []byte(classroom.Workflow(o.install)), 0o644); err != nil {
				return err
			}
			fmt.Fprintf(a.out, "Wrote %s. Commit and push it: every push is graded.\n", relPath(a.cwd, p))
			return nil
		},
	}
	initCmd.Flags().BoolVar(&o.force, "force", false, "replace an existing workflow")
	initCmd.Flags().StringVar(&o.install, "install", classroom.DefaultInstall, "the shell command that installs lab on the runner")
	cmd.AddCommand(initCmd)
	return cmd
}

// repoRoot is the nearest folder at or above dir holding .git, else dir.
func repoRoot(dir string) string {
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			return d
		} else if !errors.Is(err, os.ErrNotExist) {
			return dir
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dir
		}
		d = parent
	}
}
