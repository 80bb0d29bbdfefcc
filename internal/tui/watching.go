package tui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/learnlab/lab/internal/course"
	"github.com/learnlab/lab/internal/watch"
)

type watchStartedMsg struct {
	lab *course.Lab
	w   *watch.Watcher
	err error
}

type watchChangeMsg struct {
	w      *watch.Watcher
	change watch.Change
	ok     bool
}

// toggleWatch starts or stops watch mode for a lab: re-check on every save.
func (m *Model) toggleWatch(lab *course.Lab) tea.Cmd {
	if m.watcher != nil {
		w := m.watcher
		m.watcher, m.watchLab = nil, nil
		m.setStatus(statusInfo, "Watch mode off.")
		return func() tea.Msg { w.Close(); return nil }
	}
	if lab == nil {
		return nil
	}
	if m.ws == nil || !m.started[lab.ID] {
		m.setStatus(statusWarn, fmt.Sprintf("%02d is not started yet: press s first, then w to watch it", lab.Number))
		return nil
	}
	dir, opts := m.ws.LabDir(lab.ID), m.opts.Watch
	return func() tea.Msg {
		w, err := watch.New(dir, opts)
		return watchStartedMsg{lab: lab, w: w, err: err}
	}
}

func (m *Model) watchStarted(msg watchStartedMsg) tea.Cmd {
	if msg.err != nil {
		m.setStatus(statusErr, "cannot watch: "+msg.err.Error())
		return nil
	}
	if m.watcher != nil { // toggled twice quickly
		msg.w.Close()
		return nil
	}
	m.watcher, m.watchLab = msg.w, msg.lab
	if msg.w.Mode == watch.ModePoll {
		m.setStatus(statusWarn, "Watch mode on, "+msg.w.Describe())
	} else {
		m.setStatus(statusOK, fmt.Sprintf("Watch mode on: checking %s now, then on every save (w stops).", msg.lab.ID))
	}
	if m.run == nil {
		// Check at once: the learner wants to know where they stand now, not after a save.
		// The watcher is paused during the run; checkDone starts waiting on it.
		return m.startCheckFor(msg.lab, "watch")
	}
	msg.w.Pause()
	return nil
}

// waitWatch waits for the next debounced save.
func (m *Model) waitWatch(w *watch.Watcher) tea.Cmd {
	return func() tea.Msg {
		c, ok := <-w.Changes()
		return watchChangeMsg{w: w, change: c, ok: ok}
	}
}

func (m *Model) watchChanged(msg watchChangeMsg) tea.Cmd {
	if !msg.ok || msg.w != m.watcher {
		return nil // closed, or an old watcher
	}
	if m.run != nil {
		return nil // checkDone waits again once the run ends
	}
	return m.startCheckFor(m.watchLab, "save")
}
