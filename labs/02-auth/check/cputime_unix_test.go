//go:build labcheck && unix

package main

import (
	"syscall"
	"time"
)

// labCPUTime is the CPU time the whole test process has used so far (user + system, every
// thread). Unlike the wall clock it does not grow while the machine is busy with other work, so
// comparing the CPU two requests cost is stable on a loaded machine.
func labCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
