//go:build labcheck

package main

// A submission that touches 4 GiB of memory as its test binary starts, 64 MiB at a time (one
// 4 GiB allocation would only hit the address-space backstop and crash). A sandboxed grade
// must stop it at the memory limit and say so in its result.

func init() {
	var keep [][]byte
	for range 64 {
		b := make([]byte, 64<<20)
		for j := 0; j < len(b); j += 4096 {
			b[j] = 1
		}
		keep = append(keep, b)
	}
	println("allocated", len(keep)*64, "MiB")
}
