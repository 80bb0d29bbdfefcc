package report

import (
	"encoding/json"
	"io"

	"github.com/learnlab/lab/internal/checker"
)

// Results is the JSON document: exercism's results.json v3 (version, status, message, tests
// with name, status, message, output, task_id) plus lab's own lab, title, tasks and notes.
// Statuses are "pass", "fail" or "error" as in exercism; a timeout is "error" with a message,
// and the task summary keeps lab's own status (pass, fail, error, timeout).
type Results struct {
	Version    int        `json:"version"`
	Status     string     `json:"status"`
	Message    string     `json:"message,omitempty"`
	Lab        string     `json:"lab"`
	Title      string     `json:"title"`
	Tests      []TestJSON `json:"tests"`
	Tasks      []TaskJSON `json:"tasks"`
	Notes      []string   `json:"notes,omitempty"`
	DurationMS int64      `json:"duration_ms"`
}

// TestJSON is one hidden test.
type TestJSON struct {
	Name      string `json:"name"`
	Status    string `json:"status"`
	Message   string `json:"message,omitempty"`
	Output    string `json:"output,omitempty"`
	TaskID    string `json:"task_id"`
	Truncated bool   `json:"output_truncated,omitempty"`
	ElapsedMS int64  `json:"elapsed_ms"`
}

// TaskJSON is the summary of one task.
type TaskJSON struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	Status     string `json:"status"`
	Message    string `json:"message,omitempty"`
	WasPassing bool   `json:"was_passing,omitempty"`
}

func exercismStatus(s checker.Status) string {
	switch s {
	case checker.Pass, checker.Fail:
		return string(s)
	}
	return "error"
}

// ToResults converts a Report to the JSON document.
func ToResults(r *checker.Report) Results {
	out := Results{Version: 3, Status: exercismStatus(r.Status), Message: r.Message, Lab: r.Lab, Title: r.Title,
		Notes: r.Notes, DurationMS: r.Duration.Milliseconds(), Tests: []TestJSON{}, Tasks: []TaskJSON{}}
	if r.Status == checker.Pass || r.Status == checker.Fail {
		out.Message = ""
	}
	for _, t := range r.Tasks {
		out.Tasks = append(out.Tasks, TaskJSON{ID: t.ID, Title: t.Title, Status: string(t.Status), Message: t.Message, WasPassing: t.WasPassing})
		for _, tt := range t.Tests {
			out.Tests = append(out.Tests, TestJSON{Name: tt.Name, Status: exercismStatus(tt.Status), Message: tt.Message,
				Output: tt.Output, TaskID: tt.TaskID, Truncated: tt.Truncated, ElapsedMS: tt.Elapsed.Milliseconds()})
		}
	}
	return out
}

// JSON writes the report as indented JSON (see Results).
func JSON(w io.Writer, r *checker.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(ToResults(r))
}
