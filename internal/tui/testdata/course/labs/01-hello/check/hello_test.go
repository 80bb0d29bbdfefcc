//go:build labcheck

package main

import "testing"

func TestGreet(t *testing.T) {
	if got := greet("Ada"); got != "Hello, Ada!" {
		t.Errorf("greet(%q) = %q, want %q", "Ada", got, "Hello, Ada!")
	}
}

func TestFarewell(t *testing.T) {
	if got := farewell("Ada"); got != "Bye, Ada." {
		t.Errorf("farewell(%q) = %q, want %q", "Ada", got, "Bye, Ada.")
	}
}
