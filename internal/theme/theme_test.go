package theme

import "testing"

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
