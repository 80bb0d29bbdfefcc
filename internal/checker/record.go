package checker

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/learnlab/lab/internal/workspace"
)

// PassedBefore returns the tasks of a lab that passed at least once, for Options.PassedBefore.
func PassedBefore(s *workspace.State, labID string) map[string]bool {
	out := map[string]bool{}
	if s == nil || s.Labs[labID] == nil {
		return out
	}
	for id, ts := range s.Labs[labID].Tasks {
		if ts.PassedOnce {
			out[id] = true
		}
	}
	return out
}

// Record saves a report's grades in the workspace progress, under its lock and atomically. A
// task that passed once keeps that mark whatever later checks say. The lab becomes current.
//
// The whole report is kept too (.lab/reports/<lab>.json, see LastReport), so the workbench
// reopened later shows the last check's failures, not only its grades.
func Record(w *workspace.Workspace, r *Report, at time.Time) error {
	err := w.Update(func(s *workspace.State) error {
		s.Current = r.Lab
		ls := s.Lab(r.Lab)
		for _, t := range r.Tasks {
			ls.Record(t.ID, string(t.Status), at)
		}
		return nil
	})
	if err != nil {
		return err
	}
	data, err := json.Marshal(savedReport{At: at, Report: r})
	if err != nil {
		return err
	}
	return w.WriteMeta(reportFile(r.Lab), data)
}

// savedReport is a lab's last report on disk, with when it was recorded.
type savedReport struct {
	At     time.Time `json:"checked_at"`
	Report *Report   `json:"report"`
}

func reportFile(labID string) string { return "reports/" + labID + ".json" }

// LastReport reads the report Record saved last for a lab, and when. A lab never checked (or
// checked by an older lab that kept no report) gives nil and no error; an unreadable file is an
// error and the caller shows the grades alone.
func LastReport(w *workspace.Workspace, labID string) (*Report, time.Time, error) {
	data, err := w.ReadMeta(reportFile(labID))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, time.Time{}, nil
	}
	if err != nil {
		return nil, time.Time{}, err
	}
	var s savedReport
	if err := json.Unmarshal(data, &s); err != nil || s.Report == nil {
		return nil, time.Time{}, fmt.Errorf("the last report of %s is unreadable (%v): the next check replaces it", labID, err)
	}
	return s.Report, s.At, nil
}
