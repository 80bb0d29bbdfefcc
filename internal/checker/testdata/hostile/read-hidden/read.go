//go:build labcheck

package main

// Attack 7 of issue 13: look for the hidden tests' sources (this check's, or another check's
// compiling at the same moment) and print what was found. Sources are removed before any
// learner code runs, and a sandbox shows neither the host's /tmp nor other checks.

import (
	"fmt"
	"os"
	"path/filepath"
	"time"
)

func init() {
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		for _, root := range []string{os.TempDir(), "/tmp", "/var/tmp"} {
			found, _ := filepath.Glob(filepath.Join(root, "lab-check-*", "zz_lab_*_test.go"))
			for _, f := range found {
				if data, err := os.ReadFile(f); err == nil && len(data) > 0 {
					fmt.Printf("LAB-HIDDEN-FOUND %s (%d bytes)\n", f, len(data))
					return
				}
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
}
