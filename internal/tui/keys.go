package tui

import "charm.land/bubbles/v2/key"

// keyMap is every key the app answers to. The help screen is generated from it, so a key
// that is not listed here does not exist.
type keyMap struct {
	// everywhere
	Help, Quit, Interrupt key.Binding
	// lists and scrolling
	Up, Down, PageUp, PageDown, HalfUp, HalfDown, Top, Bottom key.Binding
	// home
	Open, Continue, Filter, ClearFilter key.Binding
	// lesson
	NextTask, PrevTask, Jump, Check, Cancel, Results, Hint, Watch, Workspace, Start,
	NextLesson, PrevLesson, Back, Tasks key.Binding
	// searching the lesson
	Search, SearchNext, SearchPrev key.Binding
}

func newKeyMap() keyMap {
	b := func(keys []string, help, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return keyMap{
		Help:      b([]string{"?"}, "?", "show or hide this help"),
		Quit:      b([]string{"q"}, "q", "quit"),
		Interrupt: b([]string{"ctrl+c"}, "ctrl+c", "cancel the running check, else quit"),

		Up:       b([]string{"up", "k"}, "↑/k", "up"),
		Down:     b([]string{"down", "j"}, "↓/j", "down"),
		PageUp:   b([]string{"pgup", "b"}, "pgup/b", "page up"),
		PageDown: b([]string{"pgdown", "space", "f"}, "pgdn/space", "page down"),
		HalfUp:   b([]string{"u", "ctrl+u"}, "u", "half page up"),
		HalfDown: b([]string{"d", "ctrl+d"}, "d", "half page down"),
		Top:      b([]string{"g", "home"}, "g/home", "go to top"),
		Bottom:   b([]string{"G", "end"}, "G/end", "go to bottom"),

		Open:        b([]string{"enter", "right", "l"}, "enter", "open the lesson"),
		Continue:    b([]string{"r"}, "r", "resume: continue where you left off"),
		Filter:      b([]string{"/"}, "/", "filter lessons (type, enter to keep, esc to clear)"),
		ClearFilter: b([]string{"esc"}, "esc", "clear the filter"),

		NextTask:   b([]string{"tab", "n"}, "tab/n", "next task (scrolls to its section)"),
		PrevTask:   b([]string{"shift+tab", "p"}, "shift+tab/p", "previous task"),
		Jump:       b([]string{"enter"}, "enter", "scroll to the selected task's section"),
		Check:      b([]string{"c"}, "c", "check the lab (run the hidden tests)"),
		Cancel:     b([]string{"x"}, "x", "cancel the running check"),
		Results:    b([]string{"o"}, "o", "open/close the selected task's results"),
		Hint:       b([]string{"h"}, "h", "show the next hint for the selected task"),
		Watch:      b([]string{"w"}, "w", "watch mode: check now, then on every save"),
		Workspace:  b([]string{"e"}, "e", "where your code is and how to open it"),
		Start:      b([]string{"s"}, "s", "start the lab (copy the starter code)"),
		NextLesson: b([]string{"]"}, "]", "next lesson"),
		PrevLesson: b([]string{"["}, "[", "previous lesson"),
		Back:       b([]string{"esc", "backspace"}, "esc", "close the pane / end the search / back to lessons"),
		Tasks:      b([]string{"t"}, "t", "show or hide the task list (more room for the lesson)"),

		Search:     b([]string{"/"}, "/", "search the lesson (type, enter to keep, esc to leave)"),
		SearchNext: b([]string{"n"}, "n", "next match (while searching; else next task)"),
		SearchPrev: b([]string{"N"}, "N", "previous match"),
	}
}

// helpGroups is the full help, grouped as the help screen shows it.
func (k keyMap) helpGroups() []helpGroup {
	return []helpGroup{
		{"Lessons list", []key.Binding{k.Up, k.Down, k.Open, k.Continue, k.Filter, k.ClearFilter, k.Top, k.Bottom}},
		{"Lesson", []key.Binding{k.Up, k.Down, k.PageDown, k.PageUp, k.HalfDown, k.HalfUp, k.Top, k.Bottom,
			k.NextTask, k.PrevTask, k.Jump, k.Tasks, k.NextLesson, k.PrevLesson, k.Back}},
		{"Search", []key.Binding{k.Search, k.SearchNext, k.SearchPrev}},
		{"Checking", []key.Binding{k.Check, k.Cancel, k.Results, k.Hint, k.Watch, k.Workspace, k.Start}},
		{"Everywhere", []key.Binding{k.Help, k.Quit, k.Interrupt}},
	}
}

type helpGroup struct {
	Title string
	Keys  []key.Binding
}

// short help lines for the footer.
func (k keyMap) homeShort() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.Open, k.Continue, k.Filter, k.Help, k.Quit}
}

func (k keyMap) lessonShort() []key.Binding {
	return []key.Binding{k.NextTask, k.Check, k.Results, k.Hint, k.Watch, k.Workspace, k.Search, k.Tasks, k.Back, k.Help}
}
