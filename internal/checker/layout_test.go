package checker

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/learnlab/lab/internal/course"
)

func TestDevCheckLayoutCatchesStrays(t *testing.T) {
	m := fstest.MapFS{
		"go.mod":                          {Data: []byte("module x\n\ngo 1.26\n")},
		"lessons/01-a.md":                 {Data: []byte("# A\n\n## Task: t — T\n")},
		"labs/01-a/lab.toml":              {Data: []byte("format_version = 1\ntitle = \"A\"\n[[tasks]]\nid = \"t\"\ntitle = \"T\"\ntests = [\"TestT\"]\nhints = [\"h\"]\n")},
		"labs/01-a/starter/main.go":       {Data: []byte("package main // TODO(t)\n")},
		"labs/01-a/starter/sub/x.go":      {Data: []byte("package sub\n")},
		"labs/01-a/starter/k8s/d.yaml":    {Data: []byte("kind: Deployment\n")},
		"labs/01-a/solution/main.go":      {Data: []byte("package main\n")},
		"labs/01-a/solution/.main.go.swp": {Data: []byte("x")},
		"labs/01-a/check/a_test.go":       {Data: []byte("package main\n")},
		"labs/01-a/_scratch/notes.txt":    {Data: []byte("x")},
		"labs/01-a/starter/starter":       {Data: append([]byte("\x7fELF\x02\x01\x01"), make([]byte, 64)...)},
		"labs/01-a/solution/data.bin":     {Data: []byte("ab\x00cd")},
		"labs/01-a/starter/big.json":      {Data: make([]byte, 2<<20)},
	}
	c, err := course.Load(m, "")
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(devCheckLayout(c, c.Labs[0]), "\n")
	for _, want := range []string{
		"labs/01-a/_scratch: not part of a lab",
		"labs/01-a/starter/sub/x.go: Go files in a subfolder",
		"labs/01-a/solution/.main.go.swp: editor or OS leftover",
		"labs/01-a/starter/starter: this is an ELF executable; `lab start` would copy it",
		"labs/01-a/solution/data.bin: a binary file",
		"labs/01-a/starter/big.json: 2 MB is too large",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("problems:\n%s\nwant one containing %q", got, want)
		}
	}
	if strings.Contains(got, "d.yaml") {
		t.Errorf("a non-Go file in a subfolder is fine:\n%s", got)
	}
}
