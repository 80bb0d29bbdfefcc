package checker

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/learnlab/lab/internal/course"
)

// schemaRef is a reference with each kind of declaration a schema switches: a function, a
// method (pointer receiver, unnamed parameters), a generic function, a variadic function
// without results, a package-level var, and an init.
const schemaRef = `package main

import (
	"fmt"
	"strings"
)

type Box struct{ n int }

var greeting = strings.ToUpper("hello")

var initDone string

func init() { initDone = "ref" }

func Add(a, b int) int { return a + b }

func (x *Box) Get(int, string) (int, error) { return x.n, nil }

func First[T any](xs []T) T { return xs[0] }

func Log(w *strings.Builder, parts ...string) {
	w.WriteString(strings.Join(parts, ","))
}

func Describe() string {
	var w strings.Builder
	Log(&w, "a", "b")
	n, _ := (&Box{7}).Get(0, "")
	return fmt.Sprintf("%v %v %v %v %v %v", Add(2, 2), n, First([]string{"x", "y"}), w.String(), greeting, initDone)
}
`

// schemaMutants each change one declaration of schemaRef.
var schemaMutants = map[string][2]string{ // id -> old, new
	"add":   {"return a + b", "return a - b"},
	"get":   {"return x.n, nil", "return -x.n, fmt.Errorf(\"boom\")"},
	"first": {"return xs[0]", "return xs[len(xs)-1]"},
	"log":   {`strings.Join(parts, ",")`, `strings.Join(parts, ";")`},
	"var":   {`strings.ToUpper("hello")`, `strings.Repeat("hello", 2)`},
	"init":  {`initDone = "ref"`, `initDone = "mut"`},
}

const schemaWant = "4 7 x a,b HELLO ref" // Describe() on the reference

var schemaWantMutant = map[string]string{
	"add":   "0 7 x a,b HELLO ref",
	"get":   "4 -7 x a,b HELLO ref",
	"first": "4 7 y a,b HELLO ref",
	"log":   "4 7 x a;b HELLO ref",
	"var":   "4 7 x a,b hellohello ref",
	"init":  "4 7 x a,b HELLO mut",
}

func schemaFixture(t *testing.T) (map[string][]byte, []*mutant) {
	ref := map[string][]byte{"box.go": []byte(schemaRef)}
	var ms []*mutant
	for _, id := range sortedKeys(schemaMutants) {
		ch := schemaMutants[id]
		if !strings.Contains(schemaRef, ch[0]) {
			t.Fatalf("mutant %s: %q not in the reference", id, ch[0])
		}
		src := "//go:build labcheck\n\n" + strings.Replace(schemaRef, ch[0], ch[1], 1)
		ms = append(ms, &mutant{id: id, task: "t", desc: id, files: map[string][]byte{"box.go": []byte(src)}})
	}
	return ref, ms
}

// compileSchema writes the schema's package with a test that prints Describe() and compiles
// it; the output names the reference files' lines where the compiler reports them.
func compileSchema(t *testing.T, ref map[string][]byte, s *schema, dir string) (string, string) {
	t.Helper()
	write := func(name, data string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/box\n\ngo 1.22\n")
	for name, data := range ref {
		write(name, string(data))
	}
	for name, data := range s.files {
		write(name, string(data))
	}
	write("box_test.go", "package main\n\nimport \"testing\"\n\nfunc TestDescribe(t *testing.T) { t.Log(\"describe:\", Describe()) }\n")
	bin := filepath.Join(t.TempDir(), "box.test")
	cmd := exec.Command("go", "test", "-c", "-o", bin, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off", "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", string(out)
	}
	return bin, ""
}

func describeWith(t *testing.T, bin, token string) string {
	t.Helper()
	cmd := exec.Command(bin, "-test.v", "-test.run=TestDescribe")
	cmd.Env = append(os.Environ(), schemaEnv+"="+token)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", bin, err, out)
	}
	_, after, ok := strings.Cut(string(out), "describe: ")
	if !ok {
		t.Fatalf("no describe line in\n%s", out)
	}
	line, _, _ := strings.Cut(after, "\n")
	return strings.TrimSpace(line)
}

// One binary; each mutant changes behaviour only under its own token, the reference and the
// control (and no token at all) run the reference.
func TestSchemaEachMutantOnlyUnderItsSelector(t *testing.T) {
	t.Parallel()
	ref, ms := schemaFixture(t)
	dir := t.TempDir()
	s, err := buildSchema(learnerLines(dir), ref, ms, freshSealer())
	if err != nil {
		t.Fatal(err)
	}
	if len(s.skipped) != 0 {
		t.Fatalf("skipped: %v", s.skipped)
	}
	bin, out := compileSchema(t, ref, s, dir)
	if bin == "" {
		for name, data := range s.files {
			t.Logf("%s:\n%s", name, data)
		}
		t.Fatalf("schema does not compile:\n%s", out)
	}
	for _, tok := range []string{"", s.tokens[variantReference], s.tokens[variantControl], "not-a-token"} {
		if got := describeWith(t, bin, tok); got != schemaWant {
			t.Errorf("token %q: Describe() = %q, want the reference's %q", tok, got, schemaWant)
		}
	}
	for id, want := range schemaWantMutant {
		if got := describeWith(t, bin, s.tokens[id]); got != want {
			t.Errorf("mutant %s: Describe() = %q, want %q", id, got, want)
		}
	}
	// Names and tokens do not give away which variant is which.
	// (A random hex part may spell an id such as "add" by chance: only the rest counts.)
	randomHex := regexp.MustCompile(`[0-9a-f]{12,}`)
	for name, data := range s.files {
		for _, id := range sortedKeys(schemaMutants) {
			if strings.Contains(randomHex.ReplaceAllString(name, ""), id) || strings.Contains(string(data), "\""+id+"\"") {
				t.Errorf("%s names mutant %q", name, id)
			}
		}
	}
	if s.tokens[variantReference] == s.tokens[variantControl] {
		t.Error("the reference and the control share a token: a test could tell the control from a mutant run by its token")
	}
}

// What a schema cannot switch at run time is skipped, with the reason; the rest still fits.
func TestSchemaSkipsWhatItCannotSwitch(t *testing.T) {
	t.Parallel()
	ref, ms := schemaFixture(t)
	ref["box.go"] = []byte(strings.Replace(schemaRef, "type Box struct{ n int }", "type Box struct{ n int }\n\nconst limit = 3", 1))
	bad := map[string][2]string{
		"const":     {"const limit = 3", "const limit = 4"},
		"added":     {"func Add(a, b int) int { return a + b }", "func Add(a, b int) int { return sub(a, b) }\n\nfunc sub(a, b int) int { return a - b }"},
		"signature": {"func Add(a, b int) int { return a + b }", "func Add(a, b int64) int { return int(a + b) }"},
		"type":      {"type Box struct{ n int }", "type Box struct{ n, m int }"},
	}
	for id, ch := range bad {
		src := "//go:build labcheck\n\n" + strings.Replace(string(ref["box.go"]), ch[0], ch[1], 1)
		ms = append(ms, &mutant{id: id, files: map[string][]byte{"box.go": []byte(src)}})
	}
	s, err := buildSchema(learnerLines(t.TempDir()), ref, ms, freshSealer())
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{
		"const":     "changes const limit: a schema switches functions and var values at run time, not constants or types",
		"added":     "adds func sub, which the reference does not have",
		"signature": "changes the signature of func Add",
		"type":      "changes type Box",
	} {
		if !strings.Contains(s.skipped[id], want) {
			t.Errorf("skipped[%s] = %q, want it to contain %q", id, s.skipped[id], want)
		}
		if _, ok := s.tokens[id]; ok {
			t.Errorf("%s has a token: it is not in the schema", id)
		}
	}
	for id := range schemaMutants {
		if s.skipped[id] != "" || s.tokens[id] == "" {
			t.Errorf("%s: skipped %q; the other mutants must stay in the schema", id, s.skipped[id])
		}
	}
}

// A whole mutation check compiles the learner's tests once (not parallel: the counter is the
// package's).
func TestMutationCompilesOnce(t *testing.T) {
	before := mutationBuilds.Load()
	r := mutationCheck(t, "solution", nil)
	if r.Status != Pass {
		t.Fatalf("solution: %s %s", r.Status, r.Message)
	}
	if n := mutationBuilds.Load() - before; n != 1 {
		t.Errorf("the check compiled %d test binaries, want 1 (reference, control and both mutants from one schema)", n)
	}
}

// A lab author hears about mutants the schema cannot hold, and about a schema that does not
// compile, with the mutant's own file and line.
func TestDevCheckMutationReportsSchemaProblems(t *testing.T) {
	t.Parallel()
	root, _ := filepath.Abs("testdata/mutation")
	m := fstest.MapFS{}
	fs.WalkDir(os.DirFS(root), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := fs.ReadFile(os.DirFS(root), p)
			m[p] = &fstest.MapFile{Data: data}
		}
		return nil
	})
	lab := "labs/01-clamp/check/mutants/"
	up := string(m[lab+"upper-bound/clamp.go"].Data)
	m[lab+"upper-bound/clamp.go"].Data = []byte(strings.Replace(up, "return v\n\t}\n\treturn v", "return same(v)\n\t}\n\treturn v", 1) + "\nfunc same(v int) int { return v }\n")
	ne := string(m[lab+"no-error/clamp.go"].Data)
	m[lab+"no-error/clamp.go"].Data = []byte(strings.Replace(ne, "return 0, nil", "return \"0\", nil", 1))
	c, err := course.Load(m, "")
	if err != nil {
		t.Fatal(err)
	}
	res, err := DevCheck(context.Background(), DevOptions{Course: c})
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(res[0].Problems, "\n")
	for _, want := range []string{
		"check/mutants/upper-bound: not part of the mutant schema, so every check compiles it on its own (slow): clamp.go: adds func same",
		"the mutant schema does not compile with these tests",
		"labs/01-clamp/check/mutants/no-error/clamp.go:25: cannot use",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("problems lack %q:\n%s", want, all)
		}
	}
}
