package runner

import "syscall"

// DieWithParent makes the kernel kill the command when lab dies, even by SIGKILL (the test
// binary it runs then stops by itself: see the checker's watchdog).
func DieWithParent(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }
