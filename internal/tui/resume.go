package tui

import (
	"encoding/json"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/learnlab/lab/internal/checker"
	"github.com/learnlab/lab/internal/course"
	"github.com/learnlab/lab/internal/workspace"
)

// uiFile keeps where the learner was in each lesson, beside (never inside) the progress: a
// damaged or lost reading position must not cost a grade.
const uiFile = "tui.json"

// uiState is what the workbench remembers between sessions.
type uiState struct {
	Labs map[string]*uiLab `json:"labs"`
}

// uiLab is the reading position in one lesson.
type uiLab struct {
	Read float64 `json:"read"` // scroll position, as a fraction of the lesson's lines
	Task string  `json:"task"` // the selected task
}

func loadUI(ws *workspace.Workspace) *uiState {
	u := &uiState{Labs: map[string]*uiLab{}}
	if data, err := ws.ReadMeta(uiFile); err == nil {
		_ = json.Unmarshal(data, u) // unreadable: start over, nothing of value is lost
		if u.Labs == nil {
			u.Labs = map[string]*uiLab{}
		}
	}
	return u
}

// savedReport is a lab's last report read from disk, and when it was recorded.
type savedReport struct {
	rep *checker.Report
	at  time.Time
}

// loadReports reads the last report of every lab checked so far.
func loadReports(ws *workspace.Workspace, st *workspace.State) map[string]savedReport {
	out := map[string]savedReport{}
	for id, ls := range st.Labs {
		if ls == nil || ls.LastCheck.IsZero() {
			continue
		}
		if rep, at, err := checker.LastReport(ws, id); err == nil && rep != nil {
			out[id] = savedReport{rep, at}
		}
	}
	return out
}

// applyReports takes the reports read from disk that are newer than this session's (a check in
// another terminal, or the last session's).
func (m *Model) applyReports(saved map[string]savedReport) {
	for id, s := range saved {
		if _, ok := m.reports[id]; !ok || s.at.After(m.reportAt[id]) {
			m.reports[id], m.reportAt[id] = s.rep, s.at
		}
	}
}

// remember notes the reading position of the lesson shown, and returns a Cmd saving it.
func (m *Model) remember() tea.Cmd {
	l := &m.lesson
	r := m.cache.get(l.shown)
	if l.lab == nil || r == nil || m.ws == nil || m.ui == nil {
		return nil
	}
	u := &uiLab{Read: float64(l.vp.YOffset()) / float64(max(1, r.Lines))}
	if t := l.selectedTask(); t != nil {
		u.Task = t.ID
	}
	m.ui.Labs[l.lab.ID] = u
	data, err := json.MarshalIndent(m.ui, "", "  ")
	if err != nil {
		return nil
	}
	ws := m.ws
	return func() tea.Msg {
		_ = ws.WriteMeta(uiFile, data) // best effort: a reading position is not progress
		return nil
	}
}

// resume opens a lesson where the learner left it: the saved scroll position and task; the
// first time, at the introduction, with the first unfinished task selected. A saved task that
// passes since hands the cursor to the first unfinished one.
func (m *Model) resume(lab *course.Lab) tea.Cmd {
	save := m.remember()
	open := m.openLesson(lab, "")
	m.placeCursor(lab)
	return tea.Batch(save, open)
}

// placeCursor restores the reading position and selected task of the lesson just opened.
func (m *Model) placeCursor(lab *course.Lab) {
	l := &m.lesson
	var u *uiLab
	if m.ui != nil {
		u = m.ui.Labs[lab.ID]
	}
	task := m.firstUnfinished(lab)
	if u != nil {
		if s, _ := m.grade(lab, u.Task); s != checker.Pass || task == "" {
			if lab.Task(u.Task) != nil {
				task = u.Task
			}
		}
		l.restore = u.Read
		if r := m.cache.get(l.shown); r != nil && l.shown.Lab == lab.ID {
			l.vp.SetYOffset(int(u.Read * float64(r.Lines)))
			l.restore = 0
		}
	}
	if i := taskIndex(lab, task); i >= 0 {
		l.sel = i
	}
}
