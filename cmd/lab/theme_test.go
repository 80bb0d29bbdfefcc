package main

import "testing"

// --theme, $LAB_THEME, $GLAMOUR_STYLE and $COLORFGBG decide the workbench's palette, in that
// order; nothing said leaves it to the terminal ("").
func TestThemeName(t *testing.T) {
	for _, tc := range []struct {
		flag, labTheme, glamour, colorfgbg string
		want, wantGlamour                  string
	}{
		{want: ""},
		{colorfgbg: "0;15", want: "light"},
		{colorfgbg: "15;0", want: "dark"},
		{glamour: "light", colorfgbg: "15;0", want: "light"},
		{glamour: "dracula", want: "", wantGlamour: "dracula"},
		{labTheme: "light", colorfgbg: "15;0", want: "light"},
		{flag: "dark", labTheme: "light", want: "dark"},
		{flag: "auto", colorfgbg: "0;15", want: "light"},
	} {
		t.Setenv("LAB_THEME", tc.labTheme)
		t.Setenv("GLAMOUR_STYLE", tc.glamour)
		t.Setenv("COLORFGBG", tc.colorfgbg)
		a := &app{theme: tc.flag}
		if got := themeName(a); got != tc.want {
			t.Errorf("%+v: theme %q, want %q", tc, got, tc.want)
		}
		if got := glamourStyle(); got != tc.wantGlamour {
			t.Errorf("%+v: glamour style %q, want %q", tc, got, tc.wantGlamour)
		}
	}
}
