package tui

import (
	"context"
	"errors"
	"fmt"
	"github.com/charmbracelet/x/ansi"
	"os"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/learnlab/lab/internal/checker"
	"github.com/learnlab/lab/internal/course"
	"github.com/learnlab/lab/internal/workspace"
)

// checkRun is a check in progress.
type checkRun struct {
	id            int
	lab           *course.Lab
	cancel        context.CancelFunc
	events        chan checker.Event
	done          chan checkDoneMsg
	finished      chan struct{} // closed when the checker has returned
	phase         checker.EventKind
	detail        string          // what the phase is doing (Event.Detail)
	steps         []checkStep     // the phases so far, for the progress log in the results pane
	cold          bool            // the build compiles dependencies: say why it is slow
	started       map[string]bool // tests started
	finishedTests int
	tasks         map[string]checker.Status // tasks graded so far
	cancelled     bool
	begin         time.Time
	trigger       string // "" or "save" (watch mode)
}

type checkEventMsg struct {
	id int
	ev checker.Event
}

type checkDoneMsg struct {
	id     int
	lab    *course.Lab
	report *checker.Report
	err    error
}

type recordedMsg struct {
	state *workspace.State
	err   error
}

// errNotStarted: the lab has no folder in the workspace.
var errNotStarted = errors.New("not started")

// startCheck runs the checker in a goroutine; its progress comes back as checkEventMsg and its
// end as checkDoneMsg, read by waitCheck.
func (m *Model) startCheck(lab *course.Lab) tea.Cmd {
	return m.startCheckFor(lab, "")
}

func (m *Model) startCheckFor(lab *course.Lab, trigger string) tea.Cmd {
	if lab == nil {
		return nil
	}
	if m.run != nil {
		m.setStatus(statusWarn, "a check is already running (x cancels it)")
		return nil
	}
	if m.opts.Check == nil {
		m.setStatus(statusErr, "checking is not available in this build")
		return nil
	}
	if m.ws == nil || !m.started[lab.ID] {
		m.setStatus(statusWarn, fmt.Sprintf("%02d is not started yet: press s to copy the starter code into your workspace", lab.Number))
		return nil
	}
	m.runSeq++
	ctx, cancel := context.WithCancel(context.Background())
	run := &checkRun{
		id: m.runSeq, lab: lab, cancel: cancel,
		events:   make(chan checker.Event, 256),
		done:     make(chan checkDoneMsg, 1),
		finished: make(chan struct{}),
		phase:    checker.Building,
		steps:    []checkStep{{kind: checker.Building, at: m.now()}},
		started:  map[string]bool{},
		tasks:    map[string]checker.Status{},
		begin:    m.now(),
		trigger:  trigger,
	}
	m.run = run
	if m.watcher != nil {
		m.watcher.Pause() // saves during a run do not trigger another
	}
	check, dir := m.opts.Check, m.ws.LabDir(lab.ID)
	passed := checker.PassedBefore(m.state, lab.ID)
	go func() {
		defer close(run.finished)
		var rep *checker.Report
		var err error
		if st, serr := os.Stat(dir); serr != nil || !st.IsDir() {
			err = errNotStarted
		} else {
			rep, err = check(ctx, CheckRequest{Lab: lab, Dir: dir, PassedBefore: passed, Progress: func(ev checker.Event) {
				select {
				case run.events <- ev:
				default: // the final report has everything; a dropped progress event is harmless
				}
			}})
		}
		if err == nil && rep == nil {
			err = errors.New("the checker returned no report")
		}
		if ctx.Err() != nil && err == nil && rep != nil && rep.Status != checker.Pass {
			err = context.Canceled
		}
		run.done <- checkDoneMsg{id: run.id, lab: lab, report: rep, err: err}
	}()
	return tea.Batch(m.waitCheck(run), m.spinner.Tick)
}

// waitCheck delivers the next progress event or the end of a run.
func (m *Model) waitCheck(run *checkRun) tea.Cmd {
	return func() tea.Msg {
		select {
		case ev := <-run.events:
			return checkEventMsg{id: run.id, ev: ev}
		case d := <-run.done:
			return d
		}
	}
}

func (m *Model) cancelCheck() {
	if m.run == nil {
		return
	}
	m.run.cancelled = true
	m.run.cancel()
}

func (m *Model) checkEvent(msg checkEventMsg) tea.Cmd {
	run := m.run
	if run == nil || msg.id != run.id {
		return nil
	}
	ev := msg.ev
	switch ev.Kind {
	case checker.Services, checker.Waiting, checker.Building, checker.Running:
		run.enter(ev.Kind, ev.Detail, m.now())
		if ev.ColdCache && !run.cold {
			run.cold = true
			// Once per session, and only when nothing else is open: the log says why.
			if !m.coldShown && m.screen == screenLesson && m.lesson.lab == run.lab && m.lesson.pane == nil {
				m.coldShown = true
				m.lesson.openPane(m, paneResults)
			}
		}
	case checker.TestStarted:
		if run.phase != checker.Running {
			run.enter(checker.Running, "", m.now())
		}
		run.started[ev.Test] = true
	case checker.TestDone:
		run.finishedTests++
	case checker.TaskDone:
		run.tasks[ev.TaskID] = ev.Status
	}
	m.refreshRunPane()
	return m.waitCheck(run)
}

// checkStep is one phase of a check, for the progress log.
type checkStep struct {
	kind   checker.EventKind
	detail string
	at     time.Time
}

// enter moves the run to a phase; the same phase with the same detail is not a new step.
func (r *checkRun) enter(kind checker.EventKind, detail string, now time.Time) {
	if last := r.steps[len(r.steps)-1]; last.kind == kind && (last.detail == detail || detail == "") {
		if detail != "" || r.detail == "" {
			r.detail = detail
		}
		r.steps[len(r.steps)-1].detail = r.detail
		return
	}
	if len(r.steps) == 1 && r.steps[0].detail == "" && r.steps[0].kind == checker.Building && kind != checker.Building && r.finishedTests == 0 {
		// The placeholder step made when the run began, before the checker said anything.
		r.steps = r.steps[:0]
	}
	r.phase, r.detail = kind, detail
	r.steps = append(r.steps, checkStep{kind: kind, detail: detail, at: now})
}

// phaseText says what a phase does, in the learner's words.
func (r *checkRun) phaseText(kind checker.EventKind, detail string) string {
	switch kind {
	case checker.Services:
		if detail == "" {
			detail = "the lab's services"
		}
		return "starting " + detail
	case checker.Waiting:
		if detail == "" {
			detail = "waiting for the build lab start began"
		}
		return detail
	case checker.Building:
		if detail == "" {
			detail = "building your code with the hidden tests"
		}
		return detail
	}
	total := 0
	for _, t := range r.lab.Tasks {
		total += len(t.Tests)
	}
	return fmt.Sprintf("running tests: %d/%d done, %d/%d tasks graded", r.finishedTests, total, len(r.tasks), len(r.lab.Tasks))
}

// describe is the status line of a running check: what, the phase, and seconds since it began
// (a first check on a cold build cache takes minutes: the seconds show it is not hung). In width
// cells (0: any): a long phase is cut, never the seconds.
func (r *checkRun) describe(now time.Time, width int) string {
	if r.cancelled {
		return "cancelling the check…"
	}
	what := "Checking " + r.lab.ID
	switch r.trigger {
	case "save":
		what = "Saved: checking " + r.lab.ID
	case "watch":
		what = "Watching " + r.lab.ID + ": checking"
	}
	head, phase, tail := what+" · ", r.phaseText(r.phase, r.detail), " · "+seconds(now.Sub(r.begin))
	if width > 0 {
		if room := width - ansi.StringWidth(head) - ansi.StringWidth(tail); room < ansi.StringWidth(phase) {
			phase = truncate(phase, max(room, 1))
		}
	}
	return head + phase + tail
}

func seconds(d time.Duration) string { return fmt.Sprintf("%ds", int(d.Seconds())) }

// coldNote says once why a first check is slow.
const coldNote = "Why so slow? This is the first build of this lab on this machine: Go compiles its " +
	"dependencies once (a minute or two on a slow machine) and keeps them in its build cache. " +
	"Later checks reuse them and take seconds."

// progressText is the results pane while a check runs: each phase with its duration.
func (r *checkRun) progressText(now time.Time, spin string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Checking %s · %s\n\n", r.lab.ID, seconds(now.Sub(r.begin)))
	for i, s := range r.steps {
		end, mark := now, spin
		if i+1 < len(r.steps) {
			end, mark = r.steps[i+1].at, "✓"
		}
		fmt.Fprintf(&b, "%s %s · %s\n", mark, r.phaseText(s.kind, s.detail), seconds(end.Sub(s.at)))
	}
	if r.cold {
		b.WriteString("\n" + coldNote + "\n")
	}
	return b.String()
}

// refreshRunPane redraws an open results pane of the lab being checked.
func (m *Model) refreshRunPane() {
	l := &m.lesson
	if m.run != nil && l.pane != nil && l.pane.kind == paneResults && l.lab == m.run.lab {
		l.refreshPane(m)
	}
}

func (m *Model) checkDone(msg checkDoneMsg) tea.Cmd {
	run := m.run
	if run == nil || msg.id != run.id {
		return nil
	}
	m.run = nil
	if m.watcher != nil {
		m.watcher.Resume()
	}
	var cmds []tea.Cmd
	if m.watcher != nil {
		cmds = append(cmds, m.waitWatch(m.watcher))
	}
	switch {
	case m.quitting:
		return tea.Quit
	case run.cancelled || errors.Is(msg.err, context.Canceled):
		m.setStatus(statusWarn, "Check cancelled. Press c to check again.")
	case errors.Is(msg.err, errNotStarted):
		m.setStatus(statusWarn, fmt.Sprintf("%02d is not started yet: press s to copy the starter code into your workspace", msg.lab.Number))
		m.started[msg.lab.ID] = false
	case msg.err != nil:
		m.setStatus(statusErr, "Check failed to run: "+firstLine(msg.err.Error())+" — o shows it")
		m.runErr[msg.lab.ID] = msg.err.Error()
	default:
		rep := msg.report
		delete(m.runErr, msg.lab.ID)
		m.reports[msg.lab.ID] = rep
		cmds = append(cmds, m.record(msg.lab, rep))
		m.summarize(msg.lab, rep)
	}
	return tea.Batch(cmds...)
}

// summarize sets the status line after a report, selects the first failing task and opens its
// results.
func (m *Model) summarize(lab *course.Lab, rep *checker.Report) {
	took := rep.Duration.Round(10 * time.Millisecond)
	passed, total := rep.Passed(), len(rep.Tasks)
	l := &m.lesson
	showing := m.screen == screenLesson && l.lab == lab
	switch {
	case rep.Status == checker.Pass:
		m.setStatus(statusOK, fmt.Sprintf("✓ All %d tasks pass (%v). %s", total, took, m.nextStep(lab)))
		if showing && l.pane != nil && l.pane.kind == paneResults {
			l.refreshPane(m)
		}
		return
	case rep.Status == checker.Error && passed == 0:
		msg := rep.Message
		if msg == "" {
			msg = "your code did not build with the hidden tests"
		}
		m.setStatus(statusErr, fmt.Sprintf("! %s — o shows the details", firstLine(msg)))
	case rep.Status == checker.Timeout:
		m.setStatus(statusErr, fmt.Sprintf("⧖ %d/%d tasks pass; the check hit its time limit — o shows which test was running", passed, total))
	default:
		m.setStatus(statusErr, fmt.Sprintf("✗ %d/%d tasks pass (%v) — o shows the failure, h a hint", passed, total, took))
	}
	if !showing {
		return
	}
	for i, t := range rep.Tasks {
		if t.Status != checker.Pass {
			if idx := taskIndex(lab, t.ID); idx >= 0 {
				l.sel = idx
			} else {
				l.sel = min(i, len(lab.Tasks)-1)
			}
			break
		}
	}
	if l.pane == nil || l.pane.kind == paneResults {
		l.openPane(m, paneResults)
	}
}

// nextStep says where to go after finishing a lab: the next unfinished lab, and how to open
// or start it.
func (m *Model) nextStep(lab *course.Lab) string {
	next := m.nextUnfinished(lab)
	if next == nil {
		return "That was the last lab: the course is done. Well done!"
	}
	how := fmt.Sprintf("lab start %d", next.Number)
	if m.labIndex(next) == m.labIndex(lab)+1 {
		how = "] opens it"
		if !m.started[next.ID] {
			how += fmt.Sprintf(", s starts it (lab start %d)", next.Number)
		}
	}
	return fmt.Sprintf("Next: %02d %s — %s.", next.Number, labTopic(next), how)
}

func taskIndex(lab *course.Lab, id string) int {
	for i, t := range lab.Tasks {
		if t.ID == id {
			return i
		}
	}
	return -1
}

// record saves the report's grades into progress, as `lab check` does, then reloads progress.
func (m *Model) record(lab *course.Lab, rep *checker.Report) tea.Cmd {
	ws, now := m.ws, m.now().UTC()
	if ws == nil {
		return nil
	}
	m.reportAt[lab.ID] = now
	return func() tea.Msg {
		if rep.Lab == "" {
			rep.Lab = lab.ID
		}
		err := checker.Record(ws, rep, now)
		st, lerr := ws.Load()
		if err == nil {
			err = lerr
		}
		return recordedMsg{state: st, err: err}
	}
}

// taskMark is the status mark of a task: live progress while a check runs, else its grade
// (see grade); wasPassing says the task passed at an earlier check but not at the last one.
func (m *Model) taskMark(lab *course.Lab, taskID string) (mark string, wasPassing bool) {
	st := m.styles
	if run := m.run; run != nil && run.lab == lab {
		if s, ok := run.tasks[taskID]; ok {
			return statusMark(st, s), false
		}
		if t := lab.Task(taskID); t != nil {
			for _, name := range t.Tests {
				if run.started[name] {
					return m.spinner.View(), false
				}
			}
		}
		return st.Pending.Render("·"), false
	}
	s, was := m.grade(lab, taskID)
	return statusMark(st, s), was
}

func statusMark(st Styles, s checker.Status) string {
	switch s {
	case checker.Pass:
		return st.Pass.Render("✓")
	case checker.Fail:
		return st.Fail.Render("✗")
	case checker.Error:
		return st.Fail.Render("!")
	case checker.Timeout:
		return st.Warn.Render("⧖")
	}
	return st.Pending.Render("○")
}

// taskResult finds a task's result in this session's report for the lab.
func (m *Model) taskResult(lab *course.Lab, taskID string) *checker.TaskResult {
	rep := m.reports[lab.ID]
	if rep == nil {
		return nil
	}
	for i := range rep.Tasks {
		if rep.Tasks[i].ID == taskID {
			return &rep.Tasks[i]
		}
	}
	return nil
}

// taskDetail is a few lines about the selected task for the panel, most important first: why
// it fails, or its state; then what it is and what helps. With oneLine (the narrow layout) the
// first line says the state and what the task is.
func (m *Model) taskDetail(lab *course.Lab, t *course.Task, w int, oneLine bool) []string {
	st := m.styles
	running := m.run != nil && m.run.lab == lab
	s, was := m.grade(lab, t.ID)
	var out []string
	about := []string{"task " + t.ID, plural(len(t.Tests), "test")}
	if n := len(t.Hints); n > 0 {
		switch shown := m.hintsShown(lab, t.ID); {
		case shown == 0:
			about = append(about, fmt.Sprintf("h: a hint (%d)", n))
		case shown < n:
			about = append(about, fmt.Sprintf("h: hint %d of %d", shown+1, n))
		default:
			about = append(about, fmt.Sprintf("h: the %s again", plural(n, "hint")))
		}
	} else {
		about = append(about, "no hints")
	}
	var state string
	var style = st.Faint
	switch r := m.taskResult(lab, t.ID); {
	case running:
		state = "being checked…"
	case r != nil && r.Status != checker.Pass:
		msg := r.Message
		if msg == "" {
			msg = string(r.Status)
		}
		if was {
			msg += " (was passing)"
		}
		for _, line := range splitLines(wrap(firstLine(msg), w)) {
			out = append(out, st.Error.Render(line))
		}
		about = append([]string{"o: full results"}, about...)
	case s == checker.Pass:
		state, style = "✓ passes", st.Pass
	case s == "":
		state = "not checked yet · c checks"
	default:
		state, style = "✗ failed the last check", st.Error
		if was {
			state += " (was passing)"
		}
	}
	line := strings.Join(about, " · ")
	if state != "" && oneLine {
		// One line: the state in its color, then what the task is.
		l := truncate(state+" · "+line, w)
		if strings.HasPrefix(l, state) {
			return append(out, style.Render(state)+st.Faint.Render(l[len(state):]))
		}
		return append(out, style.Render(l))
	}
	if state != "" {
		for _, l := range splitLines(wrap(state, w)) {
			out = append(out, style.Render(l))
		}
	}
	for _, l := range splitLines(wrap(line, w)) {
		out = append(out, st.Faint.Render(l))
	}
	return out
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// ---- starting a lab ----

type startedMsg struct {
	lab     *course.Lab
	created bool
	state   stateMsg
	err     error
}

func (m *Model) startLab(lab *course.Lab) tea.Cmd {
	if lab == nil || m.opts.Workspace == nil {
		return nil
	}
	if m.started[lab.ID] && m.ws != nil {
		m.setStatus(statusInfo, m.codeIsIn(lab))
		return nil
	}
	find, c, dir := m.opts.Workspace, m.course, m.opts.Dir
	m.setStatus(statusInfo, "starting "+lab.ID+"…")
	return func() tea.Msg {
		ws, err := find(true)
		if err != nil {
			return startedMsg{lab: lab, err: err}
		}
		created, err := ws.Start(c, lab)
		if err != nil {
			return startedMsg{lab: lab, err: err}
		}
		return startedMsg{lab: lab, created: created, state: readState(func(bool) (*workspace.Workspace, error) { return ws, nil }, c, dir, false)}
	}
}

func (m *Model) labStarted(msg startedMsg) tea.Cmd {
	if msg.err != nil {
		m.setStatus(statusErr, "could not start "+msg.lab.ID+": "+msg.err.Error())
		return nil
	}
	m.Update(msg.state)
	if m.ws == nil {
		m.setStatus(statusOK, "Started "+msg.lab.ID)
		return nil
	}
	m.setStatus(statusOK, "Started. "+m.codeIsIn(msg.lab))
	return nil
}
