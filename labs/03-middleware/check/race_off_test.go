//go:build labcheck && !race

package main

// raceEnabled: without the race detector, only a crash or a wrong count shows a data race, so
// the concurrent test repeats its round.
const raceEnabled = false
