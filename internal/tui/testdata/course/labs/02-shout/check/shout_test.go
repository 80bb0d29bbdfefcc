//go:build labcheck

package main

import "testing"

func TestShout(t *testing.T) {
	if got := shout("hi"); got != "HI!" {
		t.Errorf("shout(%q) = %q, want %q", "hi", got, "HI!")
	}
}
