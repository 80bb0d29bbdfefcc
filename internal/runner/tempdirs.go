package runner

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// lab's temporary folders are named <prefix><pid>-<random> (os.MkdirTemp("", prefix+pid+"-")),
// so that a later lab can tell the folders of a lab that died without cleaning up (kill -9, a
// closed terminal) from those of one still running.

// SweepTempDirs removes the folders in TMPDIR named <prefix><pid>-* whose lab process no longer
// runs. Names whose pid part is not a number (another file sharing the prefix) are left alone.
func SweepTempDirs(prefixes ...string) {
	for _, prefix := range prefixes {
		matches, _ := filepath.Glob(filepath.Join(os.TempDir(), prefix+"*-*"))
		for _, m := range matches {
			pidStr, _, ok := strings.Cut(strings.TrimPrefix(filepath.Base(m), prefix), "-")
			pid, err := strconv.Atoi(pidStr)
			if !ok || err != nil || pid <= 0 || pid == os.Getpid() {
				continue
			}
			if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
				os.RemoveAll(m)
			}
		}
	}
}
