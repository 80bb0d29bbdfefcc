package workspace

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// StateVersion is the format of .lab/state.json this build writes.
const StateVersion = 1

// State is the learner's progress. It is keyed by lab id and task id, which authors never
// rename, so progress survives course updates.
type State struct {
	FormatVersion int                  `json:"format_version"`
	Current       string               `json:"current,omitempty"` // lab id last started or checked
	Labs          map[string]*LabState `json:"labs"`
}

// LabState is the progress of one lab.
type LabState struct {
	StartedAt time.Time             `json:"started_at"`
	LastCheck time.Time             `json:"last_check,omitzero"`
	Hints     map[string]int        `json:"hints,omitempty"` // task id -> hints shown
	Tasks     map[string]*TaskState `json:"tasks,omitempty"`
}

// TaskState is the last grade of a task and whether it ever passed.
type TaskState struct {
	Status     string    `json:"status"` // pass, fail, error, timeout
	PassedOnce bool      `json:"passed_once"`
	PassedAt   time.Time `json:"passed_at,omitzero"`
	CheckedAt  time.Time `json:"checked_at"`
}

// Lab returns the state of a lab, creating an empty one.
func (s *State) Lab(id string) *LabState {
	if s.Labs == nil {
		s.Labs = map[string]*LabState{}
	}
	ls := s.Labs[id]
	if ls == nil {
		ls = &LabState{}
		s.Labs[id] = ls
	}
	return ls
}

// Record stores a task's grade. A pass is remembered for good: a later failure changes the
// status but never the "passed once" mark.
func (ls *LabState) Record(taskID, status string, at time.Time) {
	if ls.Tasks == nil {
		ls.Tasks = map[string]*TaskState{}
	}
	ts := ls.Tasks[taskID]
	if ts == nil {
		ts = &TaskState{}
		ls.Tasks[taskID] = ts
	}
	ts.Status, ts.CheckedAt = status, at
	if status == "pass" && !ts.PassedOnce {
		ts.PassedOnce, ts.PassedAt = true, at
	}
	ls.LastCheck = at
}

// Passed counts the tasks whose last check passed.
func (ls *LabState) Passed() int {
	n := 0
	for _, ts := range ls.Tasks {
		if ts.Status == "pass" {
			n++
		}
	}
	return n
}

// ErrCorrupt is wrapped by loadState when the file could not be read as progress; the file
// has been moved aside and an empty state is returned with it.
var ErrCorrupt = errors.New("progress file was unreadable")

func loadState(path string) (*State, error) {
	s := &State{FormatVersion: StateVersion, Labs: map[string]*LabState{}}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read progress: %w", err)
	}
	var got State
	if err := json.Unmarshal(data, &got); err != nil || got.FormatVersion < 1 {
		if err == nil {
			err = errors.New("no format_version")
		}
		return s, moveAside(path, err)
	}
	if got.FormatVersion > StateVersion {
		return nil, fmt.Errorf("%s was written by a newer lab (format %d, this one reads %d): update lab", path, got.FormatVersion, StateVersion)
	}
	got.dropNulls()
	return &got, nil
}

// dropNulls removes the labs and tasks a hand-edited or half-merged file has as null, so every
// reader may follow the pointers in Labs and Tasks (a null task crashed `lab check`). A null
// is no progress: dropping it loses nothing.
func (s *State) dropNulls() {
	if s.Labs == nil {
		s.Labs = map[string]*LabState{}
	}
	for id, ls := range s.Labs {
		if ls == nil {
			delete(s.Labs, id)
			continue
		}
		for tid, ts := range ls.Tasks {
			if ts == nil {
				delete(ls.Tasks, tid)
			}
		}
	}
}

// moveAside keeps a corrupt file for the learner (or us) to inspect instead of overwriting it.
func moveAside(path string, cause error) error {
	aside := fmt.Sprintf("%s.corrupt-%s", path, time.Now().Format("20060102-150405"))
	if err := os.Rename(path, aside); err != nil {
		return fmt.Errorf("%w (%v) and could not be moved aside: %v", ErrCorrupt, cause, err)
	}
	return fmt.Errorf("%w (%v): kept it as %s and started fresh progress", ErrCorrupt, cause, filepath.Base(aside))
}

// writeFileAtomic writes via a temp file, fsync and rename, so a crash or Ctrl-C leaves either
// the old file or the new one, never half of one.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after a successful rename
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp, perm); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
