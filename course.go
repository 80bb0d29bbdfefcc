// Package lab holds the built-in course: the lessons, the labs, and the go.mod and go.sum that
// pin every library the labs use (a learner's workspace gets copies of them).
package lab

import "embed"

// Course is the built-in course, laid out as internal/course expects.
//
//go:embed all:lessons all:labs go.mod go.sum
var Course embed.FS
