package tui

import (
	"fmt"
	"os"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// TestDump prints screens for a person to look at: LAB_TUI_DUMP=1 go test -run Dump -v
func TestDump(t *testing.T) {
	if os.Getenv("LAB_TUI_DUMP") == "" {
		t.Skip("set LAB_TUI_DUMP=1")
	}
	c := fixtureCourse(t)
	ws := newWorkspace(t, c, "01-hello")
	f := &fakeChecker{}
	for _, sz := range [][2]int{{80, 24}, {200, 60}} {
		m := New(Options{Course: c, Workspace: func(bool) (*workspaceT, error) { return ws, nil }, Check: f.check, Theme: "dark"})
		drive(t, m, m.Init(), time.Second)
		m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		fmt.Printf("==== home %dx%d\n%s\n", sz[0], sz[1], plain(m))
		_, cmd := m.Update(press("enter"))
		drive(t, m, cmd, 2*time.Second)
		fmt.Printf("==== lesson %dx%d\n%s\n", sz[0], sz[1], plain(m))
		_, cmd = m.Update(press("c"))
		drive(t, m, cmd, 2*time.Second)
		fmt.Printf("==== checked %dx%d\n%s\n", sz[0], sz[1], plain(m))
		m.Update(press("?"))
		fmt.Printf("==== help %dx%d\n%s\n", sz[0], sz[1], plain(m))
	}
}
