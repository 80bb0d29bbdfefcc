//go:build linux && (amd64 || arm64)

package sandbox

import (
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// imageEnd returns the first address past the binary's loaded image (text, rodata, data, bss).
// The seccomp filter refuses to remap or re-protect anything below it: with a non-PIE binary
// (what `go build` makes with CGO_ENABLED=0 on linux/amd64 and arm64) the image sits at a fixed
// low address and nothing the Go runtime maps lives below it. A PIE binary is loaded at a
// random base the launcher cannot know before exec, so it is refused.
func imageEnd(path string) (uint64, error) {
	f, err := elf.Open(path)
	if err != nil {
		return 0, fmt.Errorf("read the test binary: %w", err)
	}
	defer f.Close()
	if f.Type != elf.ET_EXEC {
		return 0, fmt.Errorf("%s is position-independent (%s); the sandbox needs a static non-PIE binary: compile it with CGO_ENABLED=0 and the default -buildmode=exe", path, f.Type)
	}
	var end uint64
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && p.Vaddr+p.Memsz > end {
			end = p.Vaddr + p.Memsz
		}
	}
	if end == 0 {
		return 0, fmt.Errorf("%s has no loadable segment", path)
	}
	return (end + 0xfff) &^ 0xfff, nil
}

// isDynamic reports whether the ELF file at path needs a dynamic loader (then the sandbox must
// show it the host's /usr and /lib).
func isDynamic(path string) bool {
	f, err := elf.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return true
		}
	}
	return false
}

// Landlock access rights by ABI version: each version handles more, and a right the kernel
// does not know makes landlock_create_ruleset fail, so the set is cut to the running ABI.
const (
	llReadOnly = unix.LANDLOCK_ACCESS_FS_EXECUTE | unix.LANDLOCK_ACCESS_FS_READ_FILE | unix.LANDLOCK_ACCESS_FS_READ_DIR
	llABI1     = 1<<13 - 1
)

func landlockABI() int {
	v, _, e := syscall.Syscall(unix.SYS_LANDLOCK_CREATE_RULESET, 0, 0, unix.LANDLOCK_CREATE_RULESET_VERSION)
	if e != 0 {
		return 0
	}
	return int(v)
}

// landlockAttr is struct landlock_ruleset_attr up to ABI 6 (scoped).
type landlockAttr struct {
	fs, net, scoped uint64
}

// restrictFS makes every path read-only (and executable) except those in rw (top-level
// folders), which are writable but not executable, and the devices in dev, which can be written. From ABI 6 the
// process also cannot signal processes outside its domain (the launcher) nor reach abstract
// unix sockets outside it. Must run on the thread that then calls execve.
func restrictFS(rw, dev []string) error {
	abi := landlockABI()
	if abi < 1 {
		return errors.New("the kernel has no Landlock (Linux 5.13 or newer with landlock in its lsm= list): /proc/self/mem could be written")
	}
	all := uint64(llABI1)
	if abi >= 2 {
		all |= unix.LANDLOCK_ACCESS_FS_REFER
	}
	if abi >= 3 {
		all |= unix.LANDLOCK_ACCESS_FS_TRUNCATE
	}
	if abi >= 5 {
		all |= unix.LANDLOCK_ACCESS_FS_IOCTL_DEV
	}
	attr := landlockAttr{fs: all}
	size := unsafe.Sizeof(uint64(0)) * 2
	if abi >= 6 {
		attr.scoped = unix.LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | unix.LANDLOCK_SCOPE_SIGNAL
		size = unsafe.Sizeof(attr)
	}
	fd, _, e := syscall.Syscall(unix.SYS_LANDLOCK_CREATE_RULESET, uintptr(unsafe.Pointer(&attr)), size, 0)
	if e != 0 {
		return fmt.Errorf("landlock_create_ruleset: %w", e)
	}
	defer syscall.Close(int(fd))
	add := func(path string, access uint64) error {
		pfd, err := unix.Open(path, unix.O_PATH|unix.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("landlock rule for %s: %w", path, err)
		}
		defer unix.Close(pfd)
		rule := unix.LandlockPathBeneathAttr{Allowed_access: access, Parent_fd: int32(pfd)}
		// The kernel reads the packed struct (12 bytes); Go's layout has the same prefix.
		_, _, e := syscall.Syscall6(unix.SYS_LANDLOCK_ADD_RULE, fd, unix.LANDLOCK_RULE_PATH_BENEATH, uintptr(unsafe.Pointer(&rule)), 0, 0, 0)
		if e != 0 {
			return fmt.Errorf("landlock rule for %s: %w", path, e)
		}
		return nil
	}
	// Rules add up along a path, so EXECUTE cannot be granted on "/" and taken back on the
	// writable folders: "/" gets read, each other top-level entry read and execute.
	if err := add("/", unix.LANDLOCK_ACCESS_FS_READ_FILE|unix.LANDLOCK_ACCESS_FS_READ_DIR); err != nil {
		return err
	}
	top, err := os.ReadDir("/")
	if err != nil {
		return fmt.Errorf("landlock: %w", err)
	}
	for _, e := range top {
		p := "/" + e.Name()
		if slices.Contains(rw, p) {
			continue
		}
		access := uint64(llReadOnly)
		if fi, err := os.Stat(p); err != nil || !fi.IsDir() {
			// A file takes only file rights (a rule with READ_DIR on it is EINVAL).
			access = unix.LANDLOCK_ACCESS_FS_READ_FILE | unix.LANDLOCK_ACCESS_FS_EXECUTE
		}
		if err := add(p, access); err != nil {
			return err
		}
	}
	for _, p := range rw {
		if err := add(p, all&^unix.LANDLOCK_ACCESS_FS_EXECUTE); err != nil {
			return err
		}
	}
	for _, p := range dev {
		if _, err := os.Stat(p); err != nil {
			continue
		}
		access := uint64(unix.LANDLOCK_ACCESS_FS_READ_FILE | unix.LANDLOCK_ACCESS_FS_WRITE_FILE)
		if abi >= 5 {
			access |= unix.LANDLOCK_ACCESS_FS_IOCTL_DEV
		}
		if err := add(p, access); err != nil {
			return err
		}
	}
	if _, _, e := syscall.Syscall(unix.SYS_LANDLOCK_RESTRICT_SELF, fd, 0, 0); e != 0 {
		return fmt.Errorf("landlock_restrict_self: %w", e)
	}
	return nil
}

// A tiny classic-BPF assembler with forward labels, enough for a seccomp filter.
type bpfProg struct {
	ins    []unix.SockFilter
	labels map[string]int
	fixups []bpfFixup
}

type bpfFixup struct {
	at     int
	jt, jf string
}

func (p *bpfProg) stmt(code uint16, k uint32) {
	p.ins = append(p.ins, unix.SockFilter{Code: code, K: k})
}

// jump adds a conditional jump to labels jt/jf ("" falls through).
func (p *bpfProg) jump(code uint16, k uint32, jt, jf string) {
	p.fixups = append(p.fixups, bpfFixup{at: len(p.ins), jt: jt, jf: jf})
	p.ins = append(p.ins, unix.SockFilter{Code: code, K: k})
}

func (p *bpfProg) label(name string) {
	if p.labels == nil {
		p.labels = map[string]int{}
	}
	p.labels[name] = len(p.ins)
}

func (p *bpfProg) assemble() ([]unix.SockFilter, error) {
	off := func(from int, name string) (uint8, error) {
		if name == "" {
			return 0, nil
		}
		to, ok := p.labels[name]
		if !ok || to <= from || to-from-1 > 255 {
			return 0, fmt.Errorf("seccomp filter: bad jump to %q", name)
		}
		return uint8(to - from - 1), nil
	}
	for _, f := range p.fixups {
		jt, err := off(f.at, f.jt)
		if err != nil {
			return nil, err
		}
		jf, err := off(f.at, f.jf)
		if err != nil {
			return nil, err
		}
		p.ins[f.at].Jt, p.ins[f.at].Jf = jt, jf
	}
	return p.ins, nil
}

const (
	bpfLdAbs  = unix.BPF_LD | unix.BPF_W | unix.BPF_ABS
	bpfJeq    = unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K
	bpfJgt    = unix.BPF_JMP | unix.BPF_JGT | unix.BPF_K
	bpfJge    = unix.BPF_JMP | unix.BPF_JGE | unix.BPF_K
	bpfJset   = unix.BPF_JMP | unix.BPF_JSET | unix.BPF_K
	bpfRet    = unix.BPF_RET | unix.BPF_K
	argLo     = 16 // offsetof(struct seccomp_data, args[0]), low half on little-endian
	retAllow  = unix.SECCOMP_RET_ALLOW
	retEPERM  = unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM)
	retENOSYS = unix.SECCOMP_RET_ERRNO | uint32(unix.ENOSYS)
)

// deniedSyscalls are refused outright with EPERM: patching another process or this one from
// outside (ptrace, process_vm_*, pidfd_getfd), leaving the walls (namespaces, mounts), kernel
// attack surface a test never needs (bpf, keys, io_uring, userfaultfd, perf), and mappings
// whose protection cannot be inspected (shmat, remap_file_pages).
var deniedSyscalls = []uintptr{
	unix.SYS_PTRACE, unix.SYS_PROCESS_VM_READV, unix.SYS_PROCESS_VM_WRITEV, unix.SYS_PIDFD_GETFD,
	unix.SYS_PROCESS_MADVISE, unix.SYS_KCMP,
	unix.SYS_KEYCTL, unix.SYS_ADD_KEY, unix.SYS_REQUEST_KEY, unix.SYS_BPF, unix.SYS_PERF_EVENT_OPEN,
	unix.SYS_USERFAULTFD, unix.SYS_IO_URING_SETUP, unix.SYS_IO_URING_ENTER, unix.SYS_IO_URING_REGISTER,
	unix.SYS_MOUNT, unix.SYS_UMOUNT2, unix.SYS_PIVOT_ROOT, unix.SYS_CHROOT, unix.SYS_UNSHARE, unix.SYS_SETNS,
	unix.SYS_FSOPEN, unix.SYS_FSMOUNT, unix.SYS_FSPICK, unix.SYS_MOVE_MOUNT, unix.SYS_OPEN_TREE, unix.SYS_MOUNT_SETATTR,
	unix.SYS_OPEN_BY_HANDLE_AT, unix.SYS_NAME_TO_HANDLE_AT,
	unix.SYS_INIT_MODULE, unix.SYS_FINIT_MODULE, unix.SYS_DELETE_MODULE, unix.SYS_KEXEC_LOAD, unix.SYS_KEXEC_FILE_LOAD,
	unix.SYS_REBOOT, unix.SYS_SWAPON, unix.SYS_SWAPOFF, unix.SYS_ACCT, unix.SYS_SYSLOG,
	unix.SYS_SHMAT, unix.SYS_REMAP_FILE_PAGES,
}

// namespaceFlags are the clone flags that would make a new namespace.
const namespaceFlags = unix.CLONE_NEWNS | unix.CLONE_NEWUTS | unix.CLONE_NEWIPC | unix.CLONE_NEWUSER |
	unix.CLONE_NEWPID | unix.CLONE_NEWNET | unix.CLONE_NEWCGROUP

// seccompFilter builds the filter for a test binary whose image ends at end.
func seccompFilter(end uint64) ([]unix.SockFilter, error) {
	var p bpfProg
	p.stmt(bpfLdAbs, 4) // arch
	p.jump(bpfJeq, auditArch, "", "kill")
	p.stmt(bpfLdAbs, 0) // syscall number
	if x32Bit != 0 {
		p.jump(bpfJge, x32Bit, "deny", "")
	}
	for _, nr := range deniedSyscalls {
		p.jump(bpfJeq, uint32(nr), "deny", "")
	}
	p.jump(bpfJeq, unix.SYS_MPROTECT, "mprotect", "")
	p.jump(bpfJeq, unix.SYS_PKEY_MPROTECT, "mprotect", "")
	p.jump(bpfJeq, unix.SYS_MMAP, "mmap", "")
	p.jump(bpfJeq, unix.SYS_MREMAP, "mremap", "")
	p.jump(bpfJeq, unix.SYS_PERSONALITY, "personality", "")
	p.jump(bpfJeq, unix.SYS_CLONE, "clone", "")
	// clone3 passes its flags in memory, out of a filter's reach: ENOSYS makes Go and glibc
	// use clone, whose flags are checked.
	p.jump(bpfJeq, unix.SYS_CLONE3, "enosys", "")
	p.stmt(bpfRet, retAllow)

	// addrBelowEnd jumps to deny when the 64-bit argument i is below end, else to next.
	addrBelowEnd := func(i int, next string) {
		hi, lo := uint32(end>>32), uint32(end)
		p.stmt(bpfLdAbs, uint32(argLo+8*i+4))
		if hi > 0 {
			p.jump(bpfJgt, hi-1, "", "deny") // hi < end.hi
		}
		p.jump(bpfJgt, hi, next, "") // hi > end.hi: above
		p.stmt(bpfLdAbs, uint32(argLo+8*i))
		p.jump(bpfJge, lo, next, "deny")
	}

	p.label("mprotect") // mprotect(addr, len, prot): no PROT_EXEC, nothing in the image
	p.stmt(bpfLdAbs, argLo+8*2)
	p.jump(bpfJset, unix.PROT_EXEC, "deny", "")
	addrBelowEnd(0, "allow")

	p.label("mmap") // mmap(addr, len, prot, flags, fd, off): no PROT_EXEC, no MAP_FIXED over the image
	p.stmt(bpfLdAbs, argLo+8*2)
	p.jump(bpfJset, unix.PROT_EXEC, "deny", "")
	p.stmt(bpfLdAbs, argLo+8*3)
	p.jump(bpfJset, unix.MAP_FIXED, "", "allow")
	addrBelowEnd(0, "allow")

	p.label("mremap") // mremap(old, oldlen, newlen, flags, new): neither end in the image
	addrBelowEnd(0, "mremapNew")
	p.label("mremapNew")
	p.stmt(bpfLdAbs, argLo+8*3)
	p.jump(bpfJset, unix.MREMAP_FIXED, "", "allow")
	addrBelowEnd(4, "allow")

	p.label("personality") // only the query: READ_IMPLIES_EXEC would make every mapping executable
	p.stmt(bpfLdAbs, argLo)
	p.jump(bpfJeq, 0xffffffff, "allow", "deny")

	p.label("clone")
	p.stmt(bpfLdAbs, argLo)
	p.jump(bpfJset, namespaceFlags, "deny", "allow")

	p.label("allow")
	p.stmt(bpfRet, retAllow)
	p.label("deny")
	p.stmt(bpfRet, retEPERM)
	p.label("enosys")
	p.stmt(bpfRet, retENOSYS)
	p.label("kill")
	p.stmt(bpfRet, unix.SECCOMP_RET_KILL_PROCESS)
	return p.assemble()
}

// installSeccomp loads the filter on the calling thread (no_new_privs must be set).
func installSeccomp(end uint64) error {
	ins, err := seccompFilter(end)
	if err != nil {
		return err
	}
	prog := unix.SockFprog{Len: uint16(len(ins)), Filter: &ins[0]}
	if _, _, e := syscall.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, uintptr(unsafe.Pointer(&prog))); e != 0 {
		return fmt.Errorf("install the seccomp filter: %w", e)
	}
	runtime.KeepAlive(ins)
	return nil
}
