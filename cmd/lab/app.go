package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	lab "github.com/learnlab/lab"
	"github.com/learnlab/lab/internal/course"
	"github.com/learnlab/lab/internal/services"
	"github.com/learnlab/lab/internal/workspace"
)

// app is what every command shares: where the course and the workspace are, and the streams.
type app struct {
	in          io.Reader
	out, errOut io.Writer
	coursePath  string // --course or $LAB_COURSE; "" for the built-in course
	strict      bool   // any course problem is an error (author commands), not a skipped lab
	cwd         string

	loaded *course.Course
	dark   *bool  // the terminal's background, once asked (see darkBackground)
	theme  string // --theme: auto, dark or light; "" defers to $LAB_THEME
}

// getenv is os.Getenv with the command line's say: --theme stands for $LAB_THEME.
func (a *app) getenv(key string) string {
	if key == "LAB_THEME" && a.theme != "" {
		return a.theme
	}
	return os.Getenv(key)
}

func newApp(in io.Reader, out, errOut io.Writer) *app {
	cwd, _ := os.Getwd()
	return &app{in: in, out: out, errOut: errOut, cwd: cwd, coursePath: os.Getenv("LAB_COURSE")}
}

// course loads the course once per process. A broken course is a usage error: every problem is
// listed with its file and line.
func (a *app) course() (*course.Course, error) {
	if a.loaded != nil {
		return a.loaded, nil
	}
	if err := a.useRecordedCourse(); err != nil {
		return nil, err
	}
	var c *course.Course
	var err error
	if a.coursePath == "" {
		c, err = course.Load(lab.Course, "")
	} else {
		dir, aerr := filepath.Abs(a.coursePath)
		if aerr != nil {
			return nil, usageErr(aerr)
		}
		if st, serr := os.Stat(dir); serr != nil || !st.IsDir() {
			return nil, usageErr(fmt.Errorf("course directory %s not found", a.coursePath))
		}
		c, err = course.Load(os.DirFS(dir), dir)
	}
	if err != nil {
		var ps course.Problems
		if !errors.As(err, &ps) {
			return nil, usageErr(err)
		}
		// A learner can go on with the labs that loaded; an author (dev, new) must see it all.
		ids, all := ps.LabIDs()
		var ok []*course.Lab
		if c != nil {
			for _, l := range c.Labs {
				if !ids[l.ID] {
					ok = append(ok, l)
				}
			}
		}
		if a.strict || !all || len(ok) == 0 {
			return nil, usageErr(fmt.Errorf("the course has %d problem(s):\n%w", len(ps), err))
		}
		skipped := make([]string, 0, len(ids))
		for id := range ids {
			skipped = append(skipped, id)
		}
		sort.Strings(skipped)
		fmt.Fprintf(a.errOut, "lab: warning: skipping %s: the course files have %d problem(s) there (`lab dev check` lists them)\n", strings.Join(skipped, ", "), len(ps))
		c.Labs = ok
	}
	if err := checkLabVersion(c); err != nil {
		return nil, err
	}
	a.loaded = c
	return c, nil
}

// workspace finds the learner's workspace from the working directory (see workspace.Find).
func (a *app) workspace(create bool) (*workspace.Workspace, error) {
	w, err := workspace.Find(a.cwd, create)
	if err != nil {
		return nil, usageErr(err)
	}
	return w, nil
}

// state loads progress; a corrupt file is reported once and replaced by empty progress.
func (a *app) state(w *workspace.Workspace) *workspace.State {
	s, err := w.Load()
	if err != nil {
		fmt.Fprintln(a.errOut, "lab: warning:", err)
		if s == nil {
			s = &workspace.State{}
		}
	}
	return s
}

// lab resolves a lab argument; "" means the lab of the working directory, else the last one
// started or checked.
func (a *app) lab(c *course.Course, arg string) (*course.Lab, error) {
	if arg != "" {
		l, err := c.Resolve(arg)
		if err != nil {
			return nil, usageErr(err)
		}
		return l, nil
	}
	w, err := a.workspace(false)
	if err != nil {
		return nil, a.noWorkspace(err)
	}
	id := w.LabAt(a.cwd)
	if id == "" {
		id = a.state(w).Current
	}
	if id == "" {
		return nil, usageErr(errors.New("which lab? name one, like `lab check 1`"))
	}
	l, err := c.Resolve(id)
	if err != nil {
		return nil, usageErr(err)
	}
	return l, nil
}

// services returns what starts Redis and PostgreSQL for checks: one services.Manager per
// process (see cmd/lab/services.go), configured by LAB_SERVICES and friends.
func (a *app) services() services.Acquirer { return labServices() }

// startedLab resolves a lab argument and finds its folder in the workspace, for the commands
// that work on a learner's copy (check, watch, reset).
func (a *app) startedLab(arg string) (*course.Course, *course.Lab, *workspace.Workspace, error) {
	c, err := a.course()
	if err != nil {
		return nil, nil, nil, err
	}
	l, err := a.lab(c, arg)
	if err != nil {
		return nil, nil, nil, err
	}
	w, err := a.workspace(false)
	if errors.Is(err, workspace.ErrNotFound) {
		return nil, nil, nil, usageErr(fmt.Errorf("%s is not started: there is no %s folder in %s or above it. Run `lab start %d` (it creates ./%s), or cd to the folder that holds your %s",
			l.ID, workspace.DefaultDir, displayPath(a.cwd), l.Number, workspace.DefaultDir, workspace.DefaultDir))
	}
	if err != nil {
		return nil, nil, nil, err
	}
	if !w.Started(l.ID) {
		return nil, nil, nil, usageErr(fmt.Errorf("%s is not started: run `lab start %d`", l.ID, l.Number))
	}
	return c, l, w, nil
}

// noWorkspace explains a failed workspace lookup: where lab looked for a lab-work folder and
// how to get one.
func (a *app) noWorkspace(err error) error {
	if !errors.Is(err, workspace.ErrNotFound) {
		return usageErr(err)
	}
	return usageErr(fmt.Errorf("no %s folder in %s or above it: start a lab with `lab start 1` (it creates ./%s), or cd to the folder that holds your %s",
		workspace.DefaultDir, displayPath(a.cwd), workspace.DefaultDir, workspace.DefaultDir))
}

// displayPath shows an absolute path the short way a learner can paste: ~/x under the home
// folder, else absolute.
func displayPath(p string) string {
	if h, err := os.UserHomeDir(); err == nil && h != "" && h != "/" {
		if r, err := filepath.Rel(h, p); err == nil && !strings.HasPrefix(r, "..") {
			if r == "." {
				return "~"
			}
			return "~/" + r
		}
	}
	return p
}
