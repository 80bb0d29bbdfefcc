package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/learnlab/lab/internal/classroom"
	"github.com/learnlab/lab/internal/course"
	"github.com/learnlab/lab/internal/workspace"
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
			wo, err := a.workflowOptions(o.install)
			if err != nil {
				return err
			}
			if err := os.WriteFile(p, []byte(classroom.Workflow(wo)), 0o644); err != nil {
				return err
			}
			fmt.Fprintf(a.out, "Wrote %s. Commit and push it: every push is graded.\n", relPath(a.cwd, p))
			if wo.CourseSource != "" {
				fmt.Fprintf(a.out, "It grades with the course from %s at %s.\n", wo.CourseSource, orLatest(wo.CourseRef, "its default branch"))
			}
			fmt.Fprintf(a.out, "It installs lab with: %s\n", classroom.Install(wo.LabVersion))
			return nil
		},
	}
	initCmd.Flags().BoolVar(&o.force, "force", false, "replace an existing workflow")
	initCmd.Flags().StringVar(&o.install, "install", "", "the shell command that installs lab on the runner (default: go install of the course's lab_version, or of this lab's release)")
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

// workflowOptions decides what the learner's workflow installs and grades with: the course this
// workspace was started from (fetched at the same commit) and the lab release the course pins,
// else this lab's own release.
func (a *app) workflowOptions(install string) (classroom.WorkflowOptions, error) {
	wo := classroom.WorkflowOptions{Install: install}
	c, err := a.course()
	if err != nil {
		return wo, err
	}
	wo.LabVersion = c.Meta.LabVersion
	if v, _ := buildVersion(); wo.LabVersion == "" && isRelease(v) {
		wo.LabVersion = v
	}
	if c.Root == "" {
		return wo, nil
	}
	ref, _ := a.recordedCourse()
	if ref == nil || ref.Path != c.Root {
		ref = &workspace.CourseRef{Path: c.Root, Source: c.Meta.Source}
	}
	if ref.Source == "" {
		return wo, usageErr(fmt.Errorf("CI cannot fetch the course at %s: it has no published source. Add `source = \"https://github.com/you/your-course\"` to its %s (or give it a git remote), then run lab ci init again", c.Root, course.MetaFile))
	}
	wo.CourseSource, wo.CourseRef = ref.Source, ref.Ref
	return wo, nil
}

func orLatest(s, otherwise string) string {
	if s == "" {
		return otherwise
	}
	return s
}
