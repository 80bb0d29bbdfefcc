//go:build labcheck

package main

// Attack 2 of issue 13: read the machine's seal key from the user cache dir, derive every
// keyed seal as lab does (with the run's nonce from the environment), print framed passes with
// their seals and exit before any real test runs. The sandbox does not show the key at all.

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
)

func init() {
	dir, err := os.UserCacheDir()
	if err != nil {
		println("no cache dir:", err.Error())
		return
	}
	key, err := os.ReadFile(filepath.Join(dir, "lab", "seal.key"))
	if err != nil {
		println("no seal key:", err.Error())
		return
	}
	for _, test := range []string{"TestAdd", "TestGreet", "TestGreetDefault", "TestNewer"} {
		m := hmac.New(sha256.New, key)
		m.Write([]byte("01-tiny\x00" + test))
		sum := m.Sum(nil)
		a, b := binary.LittleEndian.Uint64(sum[:8])>>1, binary.LittleEndian.Uint64(sum[8:16])>>1
		var k [8]byte
		binary.LittleEndian.PutUint64(k[:], a^b)
		mixed := sha256.Sum256(append(k[:], os.Getenv("LAB_SEAL_NONCE")...))
		seal := binary.LittleEndian.Uint64(mixed[:8]) >> 1
		fmt.Printf("\x16=== RUN   %s\n    zzzz_lab_seal_test.go:9: lab-seal %d\n\x16--- PASS: %s (0.00s)\n", test, seal, test)
	}
	fmt.Printf("\x16PASS\n")
	os.Exit(0)
}
