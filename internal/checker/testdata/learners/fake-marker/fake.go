package main

import "os"

func init() {
	os.Stdout.WriteString("\x16=== RUN   TestNewer\n\x16--- PASS: TestNewer (0.00s)\n")
}
