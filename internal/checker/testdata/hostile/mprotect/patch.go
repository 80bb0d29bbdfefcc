//go:build labcheck && amd64

package main

// Attack 1 of issue 13: make the code page of each renamed hidden test writable and write a
// RET at its entry. The genuine wrapper then calls it, it returns at once, and the wrapper
// logs the genuine seal. A sandbox refuses to make code pages writable (seccomp on mprotect).

import (
	"reflect"
	"syscall"
	"unsafe"
)

func init() {
	for _, f := range []any{labSealedTestAdd, labSealedTestGreet, labSealedTestGreetDefault, labSealedTestNewer} {
		pc := reflect.ValueOf(f).Pointer()
		page := pc &^ 4095
		mem := unsafe.Slice((*byte)(unsafe.Pointer(page)), 2*4096)
		if err := syscall.Mprotect(mem, syscall.PROT_READ|syscall.PROT_WRITE|syscall.PROT_EXEC); err != nil {
			println("mprotect refused:", err.Error())
			continue
		}
		*(*byte)(unsafe.Pointer(pc)) = 0xC3 // RET
	}
}
