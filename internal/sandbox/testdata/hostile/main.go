// Command hostile is what a submission that attacks its sandbox would do, one attack per mode.
// Each mode prints one line "MODE: RESULT" (RESULT "ok" or the error) for the test to read.
package main

import (
	"bufio"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

// secret lives in rodata: a test's expected value would too.
const secret = "the expected answer of a hidden test"

func report(mode string, err error) {
	if err == nil {
		fmt.Printf("%s: ok\n", mode)
		return
	}
	fmt.Printf("%s: %v\n", mode, err)
}

func page(addr uintptr) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(addr&^4095)), 4096)
}

func main() {
	if os.Args[1] == "all" { // several attacks in one run: "all mode=arg mode ..."
		for _, a := range os.Args[2:] {
			mode, arg, _ := strings.Cut(a, "=")
			attack(mode, arg)
		}
		return
	}
	mode, arg := os.Args[1], ""
	if len(os.Args) > 2 {
		arg = os.Args[2]
	}
	attack(mode, arg)
}

func attack(mode, arg string) {
	switch mode {
	case "hello":
		wd, _ := os.Getwd()
		fmt.Printf("hello: uid=%d wd=%s env=%s\n", os.Getuid(), wd, os.Getenv(arg))
	case "write": // into the submission (the working directory) or any path
		report(mode, os.WriteFile(filepath.Join(arg, "planted.go"), []byte("package main\n"), 0o644))
	case "tmp": // the private tmp is writable, but what is written there cannot be run
		p := filepath.Join(os.TempDir(), "copy")
		self, _ := os.ReadFile("/proc/self/exe")
		err := os.WriteFile(p, self, 0o755)
		if err == nil {
			err = exec.Command(p, "hello").Run()
			if err == nil {
				err = fmt.Errorf("ran a binary written to tmp")
			} else {
				err = fmt.Errorf("written, not executable: %w", err)
			}
		}
		report(mode, err)
	case "stat": // a host path that must not be visible
		_, err := os.Stat(arg)
		report(mode, err)
	case "dial":
		c, err := net.DialTimeout("tcp", arg, 2*time.Second)
		if err == nil {
			c.Close()
		}
		report(mode, err)
	case "service": // the env var arg holds a URL; the service echoes a line
		u, err := url.Parse(os.Getenv(arg))
		if err != nil {
			report(mode, err)
			return
		}
		c, err := net.DialTimeout("tcp", u.Host, 2*time.Second)
		if err != nil {
			report(mode, err)
			return
		}
		fmt.Fprintln(c, "ping")
		line, err := bufio.NewReader(c).ReadString('\n')
		c.Close()
		if err == nil && strings.TrimSpace(line) != "ping" {
			err = fmt.Errorf("echo said %q", line)
		}
		report(mode, err)
	case "daemon": // a setsid grandchild that outlives its parent
		cmd := exec.Command("/proc/self/exe", "linger", arg)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		report(mode, cmd.Start())
	case "linger":
		time.Sleep(time.Hour)
	case "mprotect-rwx", "mprotect-rw", "mprotect-rodata", "mmap-fixed", "mmap-exec", "mprotect-below":
		code := reflect.ValueOf(attack).Pointer()
		var err error
		switch mode {
		case "mprotect-rwx":
			err = syscall.Mprotect(page(code), syscall.PROT_READ|syscall.PROT_WRITE|syscall.PROT_EXEC)
		case "mprotect-rw":
			err = syscall.Mprotect(page(code), syscall.PROT_READ|syscall.PROT_WRITE)
		case "mprotect-rodata":
			s := secret
			err = syscall.Mprotect(page(uintptr(unsafe.Pointer(unsafe.StringData(s)))), syscall.PROT_READ|syscall.PROT_WRITE)
		case "mprotect-below": // a range that starts in a page mapped below the image
			below := imageStart() - 4096
			_, _, e := syscall.Syscall6(syscall.SYS_MMAP, below, 4096, syscall.PROT_READ, syscall.MAP_PRIVATE|syscall.MAP_ANON|0x100000 /* MAP_FIXED_NOREPLACE */, ^uintptr(0), 0)
			if e == 0 {
				_, _, e = syscall.Syscall(syscall.SYS_MPROTECT, below, code-below+4096, syscall.PROT_READ|syscall.PROT_WRITE)
			}
			if e != 0 {
				err = e
			}
		case "mmap-fixed":
			_, _, e := syscall.Syscall6(syscall.SYS_MMAP, code&^4095, 4096, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON|syscall.MAP_FIXED, ^uintptr(0), 0)
			if e != 0 {
				err = e
			}
		case "mmap-exec":
			_, err = syscall.Mmap(-1, 0, 4096, syscall.PROT_READ|syscall.PROT_EXEC, syscall.MAP_PRIVATE|syscall.MAP_ANON)
		}
		if err == nil && mode == "mprotect-rwx" {
			p := page(code)
			old := p[0]
			p[0] = 0xc3 // the patch goes through: put the byte back to keep running
			p[0] = old
		}
		report(mode, err)
	case "procmem": // patch the code through /proc/self/mem, the way without mprotect
		f, err := os.OpenFile("/proc/self/mem", os.O_RDWR, 0)
		if err == nil {
			_, err = f.WriteAt([]byte{0xc3}, int64(reflect.ValueOf(report).Pointer()))
			f.Close()
		}
		if _, serr := os.ReadFile("/proc/self/stat"); serr != nil && err != nil {
			err = fmt.Errorf("%v; and /proc/self/stat is unreadable: %v", err, serr)
		}
		report(mode, err)
	case "ptrace":
		_, _, e := syscall.RawSyscall(syscall.SYS_PTRACE, syscall.PTRACE_TRACEME, 0, 0)
		if e != 0 {
			report(mode, e)
			return
		}
		report(mode, nil)
	case "memhog":
		var keep [][]byte
		for i := 0; i < 128; i++ { // up to 8 GiB, 64 MiB at a time, each page touched
			b := make([]byte, 64<<20)
			for j := 0; j < len(b); j += 4096 {
				b[j] = 1
			}
			keep = append(keep, b)
		}
		report(mode, nil)
	case "forkbomb":
		for {
			if err := exec.Command("/proc/self/exe", "forkbomb").Start(); err != nil {
				report(mode, err)
				os.Exit(3)
			}
		}
	case "sleep":
		time.Sleep(time.Hour)
	}
}

// imageStart reads where the binary is mapped from /proc/self/maps (its first line).
func imageStart() uintptr {
	b, _ := os.ReadFile("/proc/self/maps")
	var start uintptr
	fmt.Sscanf(string(b), "%x-", &start)
	return start
}
