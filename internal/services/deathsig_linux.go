package services

import "syscall"

// dieWithParent makes the kernel kill the server when lab dies, even by SIGKILL.
func dieWithParent(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }
