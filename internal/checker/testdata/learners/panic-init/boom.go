package main

import "os"

// A learner's config loading that panics at startup, before any test can run.
var port = mustPort()

func mustPort() string {
	p := os.Getenv("LAB_TEST_PORT_THAT_IS_NEVER_SET")
	if p == "" {
		panic("PORT is not set")
	}
	return p
}
