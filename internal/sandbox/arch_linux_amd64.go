package sandbox

import "golang.org/x/sys/unix"

const (
	auditArch = unix.AUDIT_ARCH_X86_64
	// x32Bit marks x32 ABI syscall numbers, which would get around a filter keyed on x86-64 ones.
	x32Bit = 0x40000000
)
