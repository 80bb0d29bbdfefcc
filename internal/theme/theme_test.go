package theme

import (
	"testing"

	"charm.land/lipgloss/v2"
)

func TestFromEnv(t *testing.T) {
	for _, tc := range []struct {
		env          map[string]string
		dark, wantOK bool
	}{
		{map[string]string{}, true, false},
		{map[string]string{"LAB_THEME": "light"}, false, true},
		{map[string]string{"LAB_THEME": "auto", "COLORFGBG": "0;15"}, false, true},
		{map[string]string{"COLORFGBG": "15;0"}, true, true},
		{map[string]string{"COLORFGBG": "0;default;7"}, false, true},
		{map[string]string{"GLAMOUR_STYLE": "light", "COLORFGBG": "15;0"}, false, true},
		{map[string]string{"LAB_THEME": "dark", "GLAMOUR_STYLE": "light"}, true, true},
		{map[string]string{"COLORFGBG": "junk"}, true, false},
	} {
		dark, ok := FromEnv(func(k string) string { return tc.env[k] })
		if dark != tc.dark || ok != tc.wantOK {
			t.Errorf("%v: dark=%v ok=%v, want %v %v", tc.env, dark, ok, tc.dark, tc.wantOK)
		}
	}
}

// TestNeutral: the palette for an unknown background keeps the terminal's own text colour (no
// light grey on a white terminal that never answered the colour query).
func TestNeutral(t *testing.T) {
	p := Neutral()
	if !p.Neutral {
		t.Fatal("Neutral() is not marked neutral")
	}
	if _, ok := p.Text.(lipgloss.NoColor); !ok {
		t.Errorf("neutral text colour = %v, want the terminal's own", p.Text)
	}
	for _, n := range []string{"", "auto", "dark", "light", "LIGHT"} {
		if !Valid(n) {
			t.Errorf("Valid(%q) = false", n)
		}
	}
	if Valid("purple") {
		t.Error("Valid(purple) = true")
	}
}
