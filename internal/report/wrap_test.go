package report

import (
	"strings"
	"testing"
)

func TestWrapLine(t *testing.T) {
	for _, tc := range []struct {
		text, first, hang string
		width             int
		want              []string
	}{
		{"short", "  ", "    ", 80, []string{"  short"}},
		{"one two three four five", "", "  ", 12, []string{"one two", "  three four", "  five"}},
		// A JSON value that fits a line is not split at its spaces.
		{`body was {"error": "not found"} want 404`, "", "", 24, []string{"body was", `{"error": "not found"}`, "want 404"}},
		// One too long for a line is broken between its words like any text.
		{`got {"a": 1, "b": 2, "c": 3} ok`, "", "", 12, []string{`got {"a": 1,`, `"b": 2, "c":`, `3} ok`}},
		// A word longer than the line is cut: nothing is lost.
		{"abcdefghijklmnop", "", "", 10, []string{"abcdefghij", "klmnop"}},
		{"no wrap at all", ">", ">", 0, []string{">no wrap at all"}},
	} {
		got := wrapLine(tc.text, tc.first, tc.hang, tc.width)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("wrapLine(%q, %d) =\n%q\nwant\n%q", tc.text, tc.width, got, tc.want)
		}
	}
}
