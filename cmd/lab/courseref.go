package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"

	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"

	"github.com/learnlab/lab/internal/course"
	"github.com/learnlab/lab/internal/workspace"
)

// recordedCourse is the course the workspace around the working directory was started from,
// so `lab check 13` works after `lab --course X start 13` without repeating --course.
func (a *app) recordedCourse() (*workspace.CourseRef, error) {
	w, err := workspace.Find(a.cwd, false)
	if err != nil || w == nil {
		return nil, nil
	}
	return w.Course()
}

// useRecordedCourse points a at the workspace's course when neither --course nor LAB_COURSE
// names one, and says so: a learner should never be graded against a course they didn't pick.
func (a *app) useRecordedCourse() error {
	ref, err := a.recordedCourse()
	if err != nil {
		return usageErr(err)
	}
	if ref == nil {
		return nil
	}
	if a.coursePath != "" {
		if abs, _ := filepath.Abs(a.coursePath); abs != ref.Path {
			fmt.Fprintf(a.errOut, "lab: note: this workspace was started with the course at %s; using %s as you asked\n", ref.Path, a.coursePath)
		}
		return nil
	}
	if st, err := os.Stat(ref.Path); err != nil || !st.IsDir() {
		fix := "put it back, or pass --course DIR (or set LAB_COURSE) to where it is now"
		if ref.Source != "" {
			fix = fmt.Sprintf("fetch it again (git clone %s %s", ref.Source, ref.Path)
			if ref.Ref != "" {
				fix += " && git -C " + ref.Path + " checkout " + ref.Ref
			}
			fix += "), or pass --course DIR (or set LAB_COURSE) to where it is now"
		}
		return usageErr(fmt.Errorf("this workspace was started with the course at %s, which is not there any more: %s", ref.Path, fix))
	}
	a.coursePath = ref.Path
	fmt.Fprintf(a.errOut, "lab: using the course at %s (this workspace was started with it)\n", ref.Path)
	return nil
}

// recordCourse remembers the course a lab was started from in the workspace (nothing for the
// built-in course), with where it is published and the commit it was at.
func (a *app) recordCourse(w *workspace.Workspace, c *course.Course) error {
	if c.Root == "" {
		return nil
	}
	ref := &workspace.CourseRef{Path: c.Root, Source: c.Meta.Source, LabVersion: c.Meta.LabVersion}
	if out, err := exec.Command("git", "-C", c.Root, "rev-parse", "HEAD").Output(); err == nil {
		ref.Ref = strings.TrimSpace(string(out))
	}
	if ref.Source == "" {
		if out, err := exec.Command("git", "-C", c.Root, "remote", "get-url", "origin").Output(); err == nil {
			ref.Source = strings.TrimSpace(string(out))
		}
	}
	return w.SetCourse(ref)
}

// buildVersion is lab's version: -ldflags -X main.version, else what the go command stamped
// (`go install ...@v1.2.3` gives v1.2.3; a build in a git checkout a pseudo-version from the
// commit), and the VCS commit and time when known.
func buildVersion() (v, detail string) {
	v = version
	bi, ok := debug.ReadBuildInfo()
	if ok && v == "" {
		v = bi.Main.Version
	}
	if ok {
		var rev, at, dirty string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				at = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					dirty = ", modified"
				}
			}
		}
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if rev != "" {
			detail = "commit " + rev + dirty
			if at != "" {
				detail += ", " + at
			}
		}
	}
	if v == "" || v == "(devel)" {
		v = "dev"
	}
	return v, detail
}

// isRelease says whether v is a tagged release, which a course's lab_version can be compared
// with (a development build's pseudo-version says nothing about features).
func isRelease(v string) bool {
	return semver.IsValid(v) && !module.IsPseudoVersion(v) && semver.Build(v) == ""
}

// checkLabVersion refuses a course that needs a newer lab than this one: grading it with an
// older release could give different grades than the class's CI.
func checkLabVersion(c *course.Course) error {
	want := c.Meta.LabVersion
	have, _ := buildVersion()
	if want == "" || !isRelease(have) || semver.Compare(have, want) >= 0 {
		return nil
	}
	return usageErr(fmt.Errorf("this course needs lab %s or newer (course.toml lab_version), and this is lab %s: go install github.com/learnlab/lab/cmd/lab@%s", want, have, want))
}
