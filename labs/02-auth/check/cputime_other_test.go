//go:build labcheck && !unix

package main

import "time"

var labStart = time.Now()

// labCPUTime falls back to the wall clock where getrusage does not exist. The comparison it
// serves has a margin of about a hundred times, so only an extremely loaded machine blurs it.
func labCPUTime() time.Duration { return time.Since(labStart) }
