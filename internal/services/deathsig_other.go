//go:build !linux

package services

import "syscall"

// dieWithParent has no equivalent outside Linux: there the servers stop with the check (and
// a killed lab's leftovers are swept by the next run).
func dieWithParent(*syscall.SysProcAttr) {}
