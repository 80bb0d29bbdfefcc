//go:build labcheck && race

package main

// raceEnabled: the race detector reports an unguarded map on the first round.
const raceEnabled = true
