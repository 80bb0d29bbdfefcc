// Package workspace is the learner's side: the folder with a copy of each started lab, and the
// progress kept beside them in .lab/state.json.
package workspace

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/mod/modfile"

	"github.com/learnlab/lab/internal/course"
)

// DefaultDir is the folder `lab start` creates in the current directory when no workspace is
// found above it.
const DefaultDir = "lab-work"

// Workspace is a learner's workspace folder.
type Workspace struct {
	Dir string // absolute
}

func (w *Workspace) metaDir() string   { return filepath.Join(w.Dir, ".lab") }
func (w *Workspace) statePath() string { return filepath.Join(w.metaDir(), "state.json") }

// LabDir is where a lab's copy lives.
func (w *Workspace) LabDir(labID string) string { return filepath.Join(w.Dir, labID) }

// ErrNotFound means no workspace exists here or above and none was asked to be created.
var ErrNotFound = errors.New("no lab workspace here: run `lab start 1` to create one (in ./" + DefaultDir + ")")

// Find locates the workspace: $LAB_WORKSPACE if set, else the nearest folder at or above start
// that is a workspace or holds lab-work/, like git finds its repository. With create, a missing
// one is made in start/lab-work (or $LAB_WORKSPACE).
func Find(start string, create bool) (*Workspace, error) {
	if env := os.Getenv("LAB_WORKSPACE"); env != "" {
		dir, err := filepath.Abs(env)
		if err != nil {
			return nil, err
		}
		return open(dir, create)
	}
	dir, err := filepath.Abs(start)
	if err != nil {
		return nil, err
	}
	for d := dir; ; {
		if isDir(filepath.Join(d, ".lab")) && d != home() {
			return &Workspace{Dir: d}, nil
		}
		if isDir(filepath.Join(d, DefaultDir, ".lab")) {
			return &Workspace{Dir: filepath.Join(d, DefaultDir)}, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	return open(filepath.Join(dir, DefaultDir), create)
}

func home() string { h, _ := os.UserHomeDir(); return h }

func open(dir string, create bool) (*Workspace, error) {
	w := &Workspace{Dir: dir}
	if isDir(w.metaDir()) {
		return w, nil
	}
	if !create {
		if os.Getenv("LAB_WORKSPACE") != "" {
			return nil, fmt.Errorf("LAB_WORKSPACE=%s is not a lab workspace yet: run `lab start 1` to create it", dir)
		}
		return nil, ErrNotFound
	}
	if err := os.MkdirAll(w.metaDir(), 0o755); err != nil {
		return nil, fmt.Errorf("create workspace: %w", err)
	}
	// The workspace is the learner's to version; lab's own bookkeeping should not be.
	_ = os.WriteFile(filepath.Join(w.metaDir(), ".gitignore"), []byte("backup/\n*.log\n*.lock\n"), 0o644)
	return w, nil
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// LabAt returns the id of the lab whose folder contains dir, or "".
func (w *Workspace) LabAt(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	rel, err := filepath.Rel(w.Dir, abs)
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
		return ""
	}
	return strings.Split(rel, string(filepath.Separator))[0]
}

// Started reports whether the lab's folder exists.
func (w *Workspace) Started(labID string) bool { return isDir(w.LabDir(labID)) }

// Load reads the progress. A corrupt file is moved aside: the returned state is then empty and
// the error wraps ErrCorrupt, so callers can warn and go on.
func (w *Workspace) Load() (*State, error) {
	return loadState(w.statePath())
}

// Update applies fn to the progress under a file lock and saves it atomically, so a TUI in
// watch mode and a `lab check` in another terminal do not overwrite each other's results.
func (w *Workspace) Update(fn func(*State) error) error {
	unlock, err := w.lock()
	if err != nil {
		return err
	}
	defer unlock()
	s, err := loadState(w.statePath())
	if err != nil && !errors.Is(err, ErrCorrupt) {
		return err
	}
	if err := fn(s); err != nil {
		return err
	}
	s.FormatVersion = StateVersion
	data, err := marshalState(s)
	if err != nil {
		return err
	}
	return writeFileAtomic(w.statePath(), data, 0o644)
}

func (w *Workspace) lock() (func(), error) {
	if err := os.MkdirAll(w.metaDir(), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(w.metaDir(), "state.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock progress: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock progress: %w", err)
	}
	return func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}

// Start copies the lab's starter into the workspace with a go.mod and go.sum, so the folder is
// a plain module that go build, go run and gopls accept. A started lab is never overwritten:
// created is false and nothing is written.
func (w *Workspace) Start(c *course.Course, l *course.Lab) (created bool, err error) {
	dst := w.LabDir(l.ID)
	if w.Started(l.ID) {
		return false, w.Update(func(s *State) error { s.Current = l.ID; return nil })
	}
	tmp, err := os.MkdirTemp(w.Dir, "."+l.ID+".new-*")
	if err != nil {
		return false, fmt.Errorf("start %s: %w", l.ID, err)
	}
	defer os.RemoveAll(tmp)
	// MkdirTemp makes it 0700; the lab folder is an ordinary one (0755 as a checkout), so that
	// a sandboxed check, whose unprivileged uid must read it, can grade it.
	if err := os.Chmod(tmp, 0o755); err != nil {
		return false, fmt.Errorf("start %s: %w", l.ID, err)
	}
	if err := copyPart(c, l, "starter", tmp, nil); err != nil {
		return false, err
	}
	gomod, gosum, err := StartModFiles(c, l)
	if err != nil {
		return false, err
	}
	if err := os.WriteFile(filepath.Join(tmp, "go.mod"), gomod, 0o644); err != nil {
		return false, err
	}
	if len(gosum) > 0 {
		if err := os.WriteFile(filepath.Join(tmp, "go.sum"), gosum, 0o644); err != nil {
			return false, err
		}
	}
	// Renaming a finished copy into place means an interrupted start leaves no half lab behind.
	if err := os.Rename(tmp, dst); err != nil {
		return false, fmt.Errorf("start %s: %w", l.ID, err)
	}
	return true, w.Update(func(s *State) error {
		s.Current = l.ID
		ls := s.Lab(l.ID)
		if ls.StartedAt.IsZero() {
			ls.StartedAt = time.Now().UTC()
		}
		return nil
	})
}

// ModulePath is the module path of a lab's folder in the workspace.
func ModulePath(l *course.Lab) string { return "labwork/" + l.ID }

// ModFile makes a go.mod for a lab's folder with all the course's requirements (so every library the
// lab and its hidden tests use resolves offline from the module cache) under the lab's own
// module path. Local replace directives of the course are dropped: they would not resolve from
// the workspace.
func ModFile(c *course.Course, l *course.Lab) ([]byte, error) {
	src, err := modfile.Parse("go.mod", c.GoMod, nil)
	if err != nil {
		return nil, fmt.Errorf("course go.mod: %w", err)
	}
	out := &modfile.File{}
	if err := out.AddModuleStmt(ModulePath(l)); err != nil {
		return nil, err
	}
	if src.Go != nil {
		if err := out.AddGoStmt(src.Go.Version); err != nil {
			return nil, err
		}
	}
	if src.Toolchain != nil {
		_ = out.AddToolchainStmt(src.Toolchain.Name)
	}
	for _, r := range src.Require {
		out.AddNewRequire(r.Mod.Path, r.Mod.Version, r.Indirect)
	}
	for _, r := range src.Replace {
		if r.New.Version != "" {
			_ = out.AddReplace(r.Old.Path, r.Old.Version, r.New.Path, r.New.Version)
		}
	}
	out.SetRequireSeparateIndirect(out.Require)
	out.Cleanup()
	data, err := out.Format()
	if err != nil {
		return nil, err
	}
	return append([]byte(startHeader), data...), nil
}

// copyPart copies files of a lab part into dir; only names in keep when keep is non-nil.
func copyPart(c *course.Course, l *course.Lab, part, dir string, keep map[string]bool) error {
	files, err := c.Files(l, part)
	if err != nil {
		return err
	}
	for _, name := range files {
		if keep != nil && !keep[name] {
			continue
		}
		data, err := c.ReadFile(l, part, name)
		if err != nil {
			return err
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := writeFileAtomic(p, data, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", p, err)
		}
	}
	return nil
}

// TaskFiles are the starter files holding a task's TODO markers: what a task reset restores.
func TaskFiles(c *course.Course, l *course.Lab, taskID string) ([]string, error) {
	files, err := c.Files(l, "starter")
	if err != nil {
		return nil, err
	}
	marker := []byte("TODO(" + taskID + ")")
	var out []string
	for _, name := range files {
		data, err := c.ReadFile(l, "starter", name)
		if err != nil {
			return nil, err
		}
		if bytes.Contains(data, marker) {
			out = append(out, name)
		}
	}
	return out, nil
}

// Reset restores the starter: the whole lab when taskID is "", else only the files holding
// that task's TODOs. The learner's current files are first copied to .lab/backup/<lab>-<time>/,
// so a reset never loses work. It returns the backup folder and the files restored.
func (w *Workspace) Reset(c *course.Course, l *course.Lab, taskID string) (backup string, restored []string, err error) {
	dst := w.LabDir(l.ID)
	if !w.Started(l.ID) {
		return "", nil, fmt.Errorf("%s is not started: run `lab start %d`", l.ID, l.Number)
	}
	var keep map[string]bool
	if taskID != "" {
		if l.Task(taskID) == nil {
			return "", nil, fmt.Errorf("%s has no task %q", l.ID, taskID)
		}
		files, err := TaskFiles(c, l, taskID)
		if err != nil {
			return "", nil, err
		}
		if len(files) == 0 {
			return "", nil, fmt.Errorf("no starter file of %s holds TODO(%s): nothing to reset", l.ID, taskID)
		}
		keep = map[string]bool{}
		for _, f := range files {
			keep[f] = true
		}
		restored = files
	}
	backup = filepath.Join(w.metaDir(), "backup", l.ID+"-"+time.Now().Format("20060102-150405.000"))
	if err := copyTree(dst, backup, keep); err != nil {
		return "", nil, fmt.Errorf("back up %s before reset: %w", l.ID, err)
	}
	if keep == nil {
		// Whole lab: move the folder aside and start it again.
		if err := os.RemoveAll(dst); err != nil {
			return backup, nil, err
		}
		if _, err := w.Start(c, l); err != nil {
			return backup, nil, err
		}
		restored, _ = c.Files(l, "starter")
		return backup, restored, nil
	}
	return backup, restored, copyPart(c, l, "starter", dst, keep)
}

// copyTree copies regular files from src to dst (only names in keep, when non-nil).
func copyTree(src, dst string, keep map[string]bool) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		if keep != nil && !keep[filepath.ToSlash(rel)] {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		return os.WriteFile(out, data, 0o644)
	})
}

// WriteMeta saves a file under .lab/ that is not the progress (a check's last report, the
// workbench's reading positions), atomically: a crash leaves the old file or the new one. name
// is slash-separated and relative to .lab/.
func (w *Workspace) WriteMeta(name string, data []byte) error {
	p := filepath.Join(w.metaDir(), filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return writeFileAtomic(p, data, 0o644)
}

// ReadMeta reads a file WriteMeta saved; a missing file is fs.ErrNotExist.
func (w *Workspace) ReadMeta(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join(w.metaDir(), filepath.FromSlash(name)))
}
