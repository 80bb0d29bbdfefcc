package main

import "testing"

func TestClamp(t *testing.T) {
	// TODO(clamp): test below, inside and above the range.
	if got := Clamp(1, 0, 3); got != 1 {
		t.Errorf("Clamp(1, 0, 3) = %d, want 1", got)
	}
}

func TestParse(t *testing.T) {
	// TODO(parse): test a bad input.
}
