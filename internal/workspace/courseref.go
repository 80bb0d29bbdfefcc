package workspace

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// CourseRef is the course a workspace was started from, when it is not the built-in one: lab
// keeps using it without --course or LAB_COURSE, and `lab ci init` tells CI where to fetch it.
type CourseRef struct {
	Path       string `json:"path"`                  // absolute folder of the course on this machine
	Source     string `json:"source,omitempty"`      // where it is published (course.toml source, or the git remote)
	Ref        string `json:"ref,omitempty"`         // the git commit it was at when the lab started
	LabVersion string `json:"lab_version,omitempty"` // course.toml's lab_version
}

func (w *Workspace) coursePath() string { return filepath.Join(w.metaDir(), "course.json") }

// Course returns the recorded course, or nil when the workspace uses the built-in one.
func (w *Workspace) Course() (*CourseRef, error) {
	data, err := os.ReadFile(w.coursePath())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var r CourseRef
	if err := json.Unmarshal(data, &r); err != nil || r.Path == "" {
		return nil, fmt.Errorf("%s is damaged (%v): start a lab again with --course DIR to record the course", w.coursePath(), err)
	}
	return &r, nil
}

// SetCourse records the course (nil: the built-in one) with the same atomic write as progress.
func (w *Workspace) SetCourse(r *CourseRef) error {
	if r == nil {
		err := os.Remove(w.coursePath())
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(w.metaDir(), 0o755); err != nil {
		return err
	}
	return writeFileAtomic(w.coursePath(), append(data, '\n'), 0o644)
}
