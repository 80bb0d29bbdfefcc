// Package scaffold writes a new lesson and lab from a template that `lab dev check` accepts as
// it stands: the example task fails on the starter and passes on the solution.
package scaffold

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"text/template"
)

//go:embed template
var files embed.FS

// Options describe the lab to create.
type Options struct {
	ID       string   // "13-graphql"
	Title    string   // "GraphQL APIs"
	Services []string // "redis", "postgres"
}

var idRe = regexp.MustCompile(`^[0-9]{2}-[a-z0-9]+(-[a-z0-9]+)*$`)

// Create writes lessons/<id>.md and labs/<id>/ under courseDir and returns the paths written.
// It refuses to overwrite anything.
func Create(courseDir string, o Options) ([]string, error) {
	if !idRe.MatchString(o.ID) {
		return nil, fmt.Errorf("lab name %q: use NN-slug, two digits then kebab-case, like 13-graphql", o.ID)
	}
	if o.Title == "" {
		return nil, errors.New("a title is needed: --title \"GraphQL APIs\"")
	}
	for _, s := range o.Services {
		if s != "redis" && s != "postgres" {
			return nil, fmt.Errorf("unknown service %q (known: redis, postgres)", s)
		}
	}
	for _, p := range []string{filepath.Join(courseDir, "lessons", o.ID+".md"), filepath.Join(courseDir, "labs", o.ID)} {
		if _, err := os.Stat(p); err == nil {
			return nil, fmt.Errorf("%s already exists: pick another name or remove it", p)
		}
	}
	// Lessons are addressed by number (`lab start 13`): two labs with one number hide each other.
	num := o.ID[:3]
	for _, pattern := range []string{filepath.Join(courseDir, "labs", num+"*"), filepath.Join(courseDir, "lessons", num+"*.md")} {
		taken, _ := filepath.Glob(pattern)
		if len(taken) > 0 {
			return nil, fmt.Errorf("number %s is taken by %s: lessons are started by number (`lab start %s`), so each needs its own; pick the next free number", o.ID[:2], taken[0], strings.TrimLeft(o.ID[:2], "0"))
		}
	}
	redis := false
	for _, s := range o.Services {
		redis = redis || s == "redis"
	}
	data := struct {
		Options
		TaskID string
		Redis  bool
	}{o, "hello", redis}
	out := []struct{ tmpl, path string }{
		{"template/lesson.md.tmpl", filepath.Join("lessons", o.ID+".md")},
		{"template/lab.toml.tmpl", filepath.Join("labs", o.ID, "lab.toml")},
		{"template/starter.go.tmpl", filepath.Join("labs", o.ID, "starter", "main.go")},
		{"template/solution.go.tmpl", filepath.Join("labs", o.ID, "solution", "main.go")},
		{"template/check_test.go.tmpl", filepath.Join("labs", o.ID, "check", "hello_test.go")},
		{"template/wrong_variant.toml.tmpl", filepath.Join("labs", o.ID, "check", "wrong", "text-plain", "variant.toml")},
		{"template/alt_variant.toml.tmpl", filepath.Join("labs", o.ID, "check", "alt", "marshal-first", "variant.toml")},
	}
	if redis {
		out = append(out,
			struct{ tmpl, path string }{"template/redis_starter.go.tmpl", filepath.Join("labs", o.ID, "starter", "redis.go")},
			struct{ tmpl, path string }{"template/redis_solution.go.tmpl", filepath.Join("labs", o.ID, "solution", "redis.go")},
			struct{ tmpl, path string }{"template/redis_check_test.go.tmpl", filepath.Join("labs", o.ID, "check", "visits_test.go")})
	}
	var written []string
	for _, f := range out {
		src, err := files.ReadFile(f.tmpl)
		if err != nil {
			return written, err
		}
		t, err := template.New(f.tmpl).Parse(string(src))
		if err != nil {
			return written, err
		}
		var buf bytes.Buffer
		if err := t.Execute(&buf, data); err != nil {
			return written, err
		}
		p := filepath.Join(courseDir, f.path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return written, err
		}
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			return written, err
		}
		written = append(written, f.path)
	}
	// One wrong variant and one alternative of the example task, so an author sees the format
	// and dev check proves the hidden test refuses the bug and accepts the other design.
	sol, err := os.ReadFile(filepath.Join(courseDir, "labs", o.ID, "solution", "main.go"))
	if err != nil {
		return written, err
	}
	const tag = "//go:build labcheck\n\n"
	variants := []struct{ path, from, to string }{
		{filepath.Join("labs", o.ID, "check", "wrong", "text-plain", "main.go"),
			`w.Header().Set("Content-Type", "application/json")`, `w.Header().Set("Content-Type", "text/plain")`},
		{filepath.Join("labs", o.ID, "check", "alt", "marshal-first", "main.go"),
			"\t\tw.Header().Set(\"Content-Type\", \"application/json\")\n\t\tw.WriteHeader(http.StatusOK)\n\t\tjson.NewEncoder(w).Encode(map[string]string{\"message\": \"hello\"})",
			"\t\tbody, _ := json.Marshal(map[string]string{\"message\": \"hello\"})\n\t\tw.Header().Set(\"Content-Type\", \"application/json\")\n\t\tw.Write(body)"},
	}
	for _, v := range variants {
		if !bytes.Contains(sol, []byte(v.from)) {
			return written, fmt.Errorf("scaffold: the solution template lost %q", v.from)
		}
		p := filepath.Join(courseDir, v.path)
		if err := os.WriteFile(p, []byte(tag+strings.Replace(string(sol), v.from, v.to, 1)), 0o644); err != nil {
			return written, err
		}
		written = append(written, v.path)
	}
	gi := filepath.Join(courseDir, ".gitignore")
	if _, err := os.Stat(gi); errors.Is(err, os.ErrNotExist) {
		if err := os.WriteFile(gi, []byte(gitignore), 0o644); err != nil {
			return written, err
		}
		written = append(written, ".gitignore")
	}
	return written, nil
}

// gitignore keeps build output out of a course: everything under labs/ ships to learners, and
// `go build` inside a starter/ leaves an executable named after the folder.
const gitignore = `# Written by lab new. Everything under labs/ is copied to learners: keep build output out.
/labs/*/starter/starter
/labs/*/solution/solution
*.test
*.exe
*.out
# A workspace from trying your own labs as a learner.
/lab-work/
.DS_Store
*.swp
*~
`
