package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"

	lab "github.com/learnlab/lab"
	"github.com/learnlab/lab/internal/scaffold"
	"github.com/learnlab/lab/internal/workspace"
)

type newOptions struct {
	title    string
	services []string
	module   string
}

func newNewCmd(a *app) *cobra.Command {
	var o newOptions
	cmd := &cobra.Command{
		Use:   "new NN-slug --title \"...\"",
		Short: "Scaffold a new lesson and lab (for instructors)",
		Long: `Writes lessons/NN-slug.md and labs/NN-slug/ (lab.toml, starter, solution, a hidden test,
hints) into the course in --course DIR (or the current directory). The scaffold passes
` + "`lab dev check`" + ` as it stands: its example task fails on the starter and passes on the
solution. A directory with no go.mod becomes a new course module (--module names it). After
writing, lab tidies the course's go.mod to what its labs import, with the versions the built-in
course pins, so learners' folders get only what they need.`,
		Example: `  lab new 13-graphql --title "GraphQL APIs"
  lab --course ~/my-course new 01-intro --title "Hello, back end" --services redis`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runNew(cmd.Context(), a, args[0], o)
		},
	}
	cmd.Flags().StringVar(&o.title, "title", "", "the lesson's title (required)")
	cmd.Flags().StringSliceVar(&o.services, "services", nil, "services the lab needs: redis, postgres")
	cmd.Flags().StringVar(&o.module, "module", "", "a new course's Go module path (default example.com/<folder name>)")
	return cmd
}

func runNew(ctx context.Context, a *app, id string, o newOptions) error {
	dir := a.coursePath
	if dir == "" {
		dir = a.cwd
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); errors.Is(err, fs.ErrNotExist) {
		mod := o.module
		if mod == "" {
			abs, err := filepath.Abs(dir)
			if err != nil {
				return err
			}
			mod = "example.com/" + moduleName(filepath.Base(abs))
		}
		if err := module.CheckImportPath(mod); err != nil {
			return usageErr(fmt.Errorf("--module %q: %v", mod, err))
		}
		if err := initCourseModule(dir, mod); err != nil {
			return err
		}
		fmt.Fprintf(a.out, "Created a new course module %s in %s\n", mod, relPath(a.cwd, dir))
	} else if o.module != "" {
		return usageErr(fmt.Errorf("--module names a new course's module, and %s already has a go.mod: edit its module line instead", relPath(a.cwd, dir)))
	}
	written, err := scaffold.Create(dir, scaffold.Options{ID: id, Title: o.title, Services: o.services})
	if err != nil {
		return usageErr(err)
	}
	for _, p := range written {
		fmt.Fprintf(a.out, "  wrote %s\n", p)
	}
	if err := tidyCourse(ctx, dir); err != nil {
		fmt.Fprintf(a.errOut, "lab: warning: could not tidy the course's go.mod (%v): run `go mod tidy` in %s\n", err, relPath(a.cwd, dir))
	} else {
		fmt.Fprintln(a.out, "  tidied go.mod and go.sum to what the labs import")
		// The go.mod a learner's folder gets for the new lab (see lab dev mod).
		if err := writeLabMods(ctx, a, dir, id); err != nil {
			fmt.Fprintf(a.errOut, "lab: warning: %v\nRun `lab --course %s dev mod %s` once the go command can fetch the modules.\n", err, relPath(a.cwd, dir), id)
		}
	}
	course := ""
	if a.coursePath != "" {
		course = " --course " + a.coursePath
	}
	fmt.Fprintf(a.out, "\nNext: write the lesson, then prove the lab:  lab%s dev check %s\n", course, id)
	return nil
}

// initCourseModule starts a course module named mod with the built-in course's requirements;
// tidyCourse then keeps only what the labs import, at the versions lab itself is tested with.
func initCourseModule(dir, mod string) error {
	src, err := fs.ReadFile(lab.Course, "go.mod")
	if err != nil {
		return err
	}
	f, err := modfile.Parse("go.mod", src, nil)
	if err != nil {
		return err
	}
	if err := f.AddModuleStmt(mod); err != nil {
		return err
	}
	out, err := f.Format()
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), out, 0o644); err != nil {
		return err
	}
	meta := fmt.Sprintf(`# About this course (all optional). lab ci init and learners' workspaces read it.
name = %q
# Where learners and CI fetch the course, once it is published:
# source = "https://github.com/you/%s"
# The lab release the course is graded with: older labs refuse it, workflows install exactly it.
# lab_version = "v0.4.0"
`, filepath.Base(dir), filepath.Base(dir))
	if err := os.WriteFile(filepath.Join(dir, "course.toml"), []byte(meta), 0o644); err != nil {
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

// tidyCourse makes the course's go.mod list what its labs (starters, solutions, hidden tests)
// import and nothing else. The built-in course's requirements are offered first, so a lab
// that starts using, say, pgx gets the version lab is tested with, and the module cache that
// built lab already holds it: tidy runs offline when it can, through the proxy when it must.
func tidyCourse(ctx context.Context, dir string) error {
	modPath := filepath.Join(dir, "go.mod")
	data, err := os.ReadFile(modPath)
	if err != nil {
		return err
	}
	f, err := modfile.Parse("go.mod", data, nil)
	if err != nil {
		return err
	}
	builtin, err := fs.ReadFile(lab.Course, "go.mod")
	if err != nil {
		return err
	}
	bf, err := modfile.Parse("go.mod", builtin, nil)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, r := range f.Require {
		have[r.Mod.Path] = true
	}
	for _, r := range bf.Require {
		if !have[r.Mod.Path] {
			f.AddNewRequire(r.Mod.Path, r.Mod.Version, true)
		}
	}
	if out, err := f.Format(); err != nil {
		return err
	} else if err := os.WriteFile(modPath, out, 0o644); err != nil {
		return err
	}
	sumPath := filepath.Join(dir, "go.sum")
	sum, _ := os.ReadFile(sumPath)
	builtinSum, _ := fs.ReadFile(lab.Course, "go.sum")
	if err := os.WriteFile(sumPath, appendMissingSums(sum, builtinSum), 0o644); err != nil {
		return err
	}
	// Offline first: the module cache that built lab holds lab's pinned versions.
	if err := workspace.GoModTidy(ctx, dir, "GOTOOLCHAIN=local", "GOPROXY=off"); err == nil {
		return nil
	}
	return workspace.GoModTidy(ctx, dir, "GOTOOLCHAIN=local")
}

// moduleName makes a module path element from a folder name: "My Course" -> "my-course".
func moduleName(folder string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(folder) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	if name := strings.Trim(b.String(), "-."); name != "" {
		return name
	}
	return "course"
}

// appendMissingSums adds to a go.sum the lines of extra it lacks, leaving its own lines as they
// are: go mod tidy drops what is not needed but does not rewrite a go.sum whose needed lines
// are all there, so a course already tidy keeps its file byte for byte.
func appendMissingSums(sum, extra []byte) []byte {
	have := map[string]bool{}
	for _, ln := range strings.Split(string(sum), "\n") {
		have[strings.TrimSpace(ln)] = true
	}
	out := append([]byte{}, sum...)
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	for _, ln := range strings.Split(string(extra), "\n") {
		if ln = strings.TrimSpace(ln); ln != "" && !have[ln] {
			out = append(out, ln+"\n"...)
			have[ln] = true
		}
	}
	return out
}
