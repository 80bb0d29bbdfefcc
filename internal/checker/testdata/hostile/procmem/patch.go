//go:build labcheck && amd64

package main

// Attack 1 of issue 13, without mprotect: the kernel lets a process write its own read-only
// code through /proc/self/mem. A RET at each renamed hidden test's entry, and the genuine
// wrapper logs the genuine seal. A sandbox leaves /proc/self/mem read-only (Landlock).

import (
	"os"
	"reflect"
)

func init() {
	mem, err := os.OpenFile("/proc/self/mem", os.O_RDWR, 0)
	if err != nil {
		println("/proc/self/mem refused:", err.Error())
		return
	}
	defer mem.Close()
	for _, f := range []any{labSealedTestAdd, labSealedTestGreet, labSealedTestGreetDefault, labSealedTestNewer} {
		if _, err := mem.WriteAt([]byte{0xC3}, int64(reflect.ValueOf(f).Pointer())); err != nil {
			println("/proc/self/mem write refused:", err.Error())
		}
	}
}
