package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/learnlab/lab/internal/course"
)

type startOptions struct {
	noTUI bool
}

func newStartCmd(a *app) *cobra.Command {
	var o startOptions
	cmd := &cobra.Command{
		Use:   "start <lab>",
		Short: "Copy a lab's starter into your workspace and open it",
		Long: `Copies the lab's starter code into your workspace (./lab-work, or $LAB_WORKSPACE) as a
plain Go module. Starting a lab you already started never touches your files.

The lab can be named by number or name: 5, 05, caching, 05-caching.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runStart(cmd, a, args[0], o)
		},
	}
	cmd.Flags().BoolVar(&o.noTUI, "no-tui", false, "only create the workspace copy; don't open the workbench")
	return cmd
}

func runStart(cmd *cobra.Command, a *app, arg string, o startOptions) error {
	c, err := a.course()
	if err != nil {
		return err
	}
	l, err := a.lab(c, arg)
	if err != nil {
		return err
	}
	w, err := a.workspace(true)
	if err != nil {
		return err
	}
	created, err := w.Start(c, l)
	if err != nil {
		return err
	}
	if err := a.recordCourse(w, c); err != nil {
		return err
	}
	dir := w.LabDir(l.ID)
	if created {
		fmt.Fprintf(a.out, "Started %s — %s\n", l.ID, l.Heading())
		if warm(a, l) {
			fmt.Fprintln(a.out, "Compiling the lab and its libraries in the background, so your first check is quicker.")
		}
	} else {
		fmt.Fprintf(a.out, "%s is already started; your files are untouched.\n", l.ID)
	}
	if !o.noTUI && isTerminal(a) {
		// When the workbench closes it says where the code of the last lesson shown is and
		// what comes next (tui.Options.Out), as printNextSteps does here without it.
		return runTUI(cmd.Context(), a, l)
	}
	printNextSteps(a, l, dir)
	return nil
}

// printNextSteps says where a started lab's code is and the commands to go on with.
func printNextSteps(a *app, l *course.Lab, dir string) {
	fmt.Fprintf(a.out, "\nYour code:   %s\n", relPath(a.cwd, dir))
	fmt.Fprintf(a.out, "The lesson:  lab start %d   (opens the workbench on it)\n", l.Number)
	fmt.Fprintf(a.out, "Grade it:    lab check %d\n", l.Number)
	fmt.Fprintf(a.out, "Stuck?       lab hint %d\n", l.Number)
}

// warm compiles the lab with its hidden tests in a detached process, so the learner's first
// check does not wait for a cold build; it reports whether that process started. Failure is
// harmless: the check compiles anyway.
func warm(a *app, l *course.Lab) bool {
	self, err := os.Executable()
	if err != nil {
		return false
	}
	w, err := a.workspace(false)
	if err != nil {
		return false
	}
	logf, err := os.Create(filepath.Join(w.Dir, ".lab", "warm.log"))
	if err != nil {
		return false
	}
	defer logf.Close()
	args := []string{"dev", "warm", l.ID}
	if a.coursePath != "" {
		args = append([]string{"--course", a.coursePath}, args...)
	}
	cmd := exec.Command(self, args...)
	cmd.Dir = a.cwd
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if cmd.Start() != nil {
		return false
	}
	_ = cmd.Process.Release()
	return true
}

func relPath(base, p string) string {
	if r, err := filepath.Rel(base, p); err == nil && !filepath.IsAbs(r) && len(r) < len(p) {
		if r == "." || r[0] == '.' {
			return r
		}
		return "./" + r
	}
	return p
}
