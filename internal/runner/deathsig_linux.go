package runner

import "syscall"

// dieWithParent makes the kernel kill the command when lab dies, even by SIGKILL (the test
// binary it runs then stops by itself: see the checker's watchdog).
func dieWithParent(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }
