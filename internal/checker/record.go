package checker

import (
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
func Record(w *workspace.Workspace, r *Report, at time.Time) error {
	return w.Update(func(s *workspace.State) error {
		s.Current = r.Lab
		ls := s.Lab(r.Lab)
		for _, t := range r.Tasks {
			ls.Record(t.ID, string(t.Status), at)
		}
		return nil
	})
}
