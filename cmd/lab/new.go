package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"golang.org/x/mod/modfile"

	lab "github.com/learnlab/lab"
	"github.com/learnlab/lab/internal/scaffold"
)

type newOptions struct {
	title    string
	services []string
}

func newNewCmd(a *app) *cobra.Command {
	var o newOptions
	cmd := &cobra.Command{
		Use:   "new NN-slug --title \"...\"",
		Short: "Scaffold a new lesson and lab (for instructors)",
		Long: `Writes lessons/NN-slug.md and labs/NN-slug/ (lab.toml, starter, solution, a hidden test,
hints) into the course in --course DIR (or the current directory). The scaffold passes
` + "`lab dev check`" + ` as it stands: its example task fails on the starter and passes on the
solution. A directory with no go.mod becomes a new course whose go.mod pins the same libraries
as the built-in one.`,
		Example: `  lab new 13-graphql --title "GraphQL APIs"
  lab --course ~/my-course new 01-intro --title "Hello, back end" --services redis`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runNew(a, args[0], o)
		},
	}
	cmd.Flags().StringVar(&o.title, "title", "", "the lesson's title (required)")
	cmd.Flags().StringSliceVar(&o.services, "services", nil, "services the lab needs: redis, postgres")
	return cmd
}

func runNew(a *app, id string, o newOptions) error {
	dir := a.coursePath
	if dir == "" {
		dir = a.cwd
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); errors.Is(err, fs.ErrNotExist) {
		if err := initCourseModule(dir); err != nil {
			return err
		}
		fmt.Fprintf(a.out, "Created a new course module in %s (go.mod, go.sum)\n", relPath(a.cwd, dir))
	}
	written, err := scaffold.Create(dir, scaffold.Options{ID: id, Title: o.title, Services: o.services})
	if err != nil {
		return usageErr(err)
	}
	for _, p := range written {
		fmt.Fprintf(a.out, "  wrote %s\n", p)
	}
	course := ""
	if a.coursePath != "" {
		course = " --course " + a.coursePath
	}
	fmt.Fprintf(a.out, "\nNext: write the lesson, then prove the lab:  lab%s dev check %s\n", course, id)
	return nil
}

// initCourseModule gives a new course the built-in course's requirements, so its labs can use
// the same libraries and a learner's workspace resolves them the same way.
func initCourseModule(dir string) error {
	src, err := fs.ReadFile(lab.Course, "go.mod")
	if err != nil {
		return err
	}
	f, err := modfile.Parse("go.mod", src, nil)
	if err != nil {
		return err
	}
	name := filepath.Base(dir)
	if err := f.AddModuleStmt("example.com/" + name); err != nil {
		return err
	}
	out, err := f.Format()
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), out, 0o644); err != nil {
		return err
	}
	sum, _ := fs.ReadFile(lab.Course, "go.sum")
	for _, sub := range []string{"lessons", "labs"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644)
}
