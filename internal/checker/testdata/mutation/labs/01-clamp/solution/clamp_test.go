package main

import "testing"

func TestClamp(t *testing.T) {
	for _, c := range []struct{ v, want int }{{-1, 0}, {1, 1}, {5, 3}} {
		if got := Clamp(c.v, 0, 3); got != c.want {
			t.Errorf("Clamp(%d, 0, 3) = %d, want %d", c.v, got, c.want)
		}
	}
}

func TestParseRejects(t *testing.T) {
	if _, err := ParsePercent("x"); err == nil {
		t.Error(`ParsePercent("x"): no error`)
	}
}
