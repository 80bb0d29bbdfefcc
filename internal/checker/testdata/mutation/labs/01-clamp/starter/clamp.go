package main

import (
	"fmt"
	"strconv"
)

// Clamp limits v to [lo, hi].
func Clamp(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

// ParsePercent parses "0".."100".
func ParsePercent(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("percent %q: %w", s, err)
	}
	return Clamp(n, 0, 100), nil
}

func main() { fmt.Println(Clamp(5, 0, 3)) }
