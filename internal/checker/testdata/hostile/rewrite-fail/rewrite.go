//go:build labcheck

package main

// Attack 4 of issue 13: TestAdd and TestNewer fail with t.Error, which still returns normally
// and reached the seal; this rewriter turns their "--- FAIL" into "--- PASS" before test2json
// reads it. (TestGreet fails with t.Fatal, which never reached the seal: left alone.)

import (
	"bufio"
	"bytes"
	"os"
)

func init() {
	r, w, err := os.Pipe()
	if err != nil {
		return
	}
	real := os.Stdout
	os.Stdout = w
	go func() {
		br := bufio.NewReader(r)
		for {
			ln, err := br.ReadBytes('\n')
			for _, name := range []string{"TestAdd", "TestNewer"} {
				ln = bytes.ReplaceAll(ln, []byte("--- FAIL: "+name+" "), []byte("--- PASS: "+name+" "))
			}
			real.Write(ln)
			if err != nil {
				return
			}
		}
	}()
}
