package course

import (
	"bytes"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// Variant kinds: the hidden tests are themselves tested against the reference with one
// plausible bug (must be refused) and against other correct designs (must pass).
const (
	VariantWrong = "wrong" // check/wrong/<name>/: refused by the task(s) it names
	VariantAlt   = "alt"   // check/alt/<name>/: passes every task
)

// Variant is one check/wrong/<name>/ or check/alt/<name>/ folder. Its Go files replace the
// solution's files of the same name; Delete removes solution files.
type Variant struct {
	Kind   string   // VariantWrong or VariantAlt
	Name   string   // the folder name
	Dir    string   // "labs/05-caching/check/wrong/delete-first", inside Course.FS
	Tasks  []string // wrong: the tasks that must refuse it
	Why    string
	Delete []string
	Race   bool     // wrong: a bug that only an interleaving exposes (repeated more by dev check)
	Files  []string // file names inside Dir, except variant.toml
}

type variantManifest struct {
	Task   string   `toml:"task"`
	Tasks  []string `toml:"tasks"`
	Why    string   `toml:"why"`
	Delete []string `toml:"delete"`
	Race   bool     `toml:"race"`
}

// Variants loads the lab's wrong variants and alternative solutions, in name order, with
// every problem of their variant.toml files (file:line) so an author fixes them at once.
func (c *Course) Variants(l *Lab) ([]*Variant, Problems) {
	var out []*Variant
	var ps Problems
	for _, kind := range []string{VariantWrong, VariantAlt} {
		root := path.Join(l.Dir, "check", kind)
		ents, err := fs.ReadDir(c.FS, root)
		if err != nil {
			continue // no such folder: no variants of this kind
		}
		for _, e := range ents {
			dir := path.Join(root, e.Name())
			if !e.IsDir() {
				ps.add(dir, 0, "not a folder: check/%s/ holds one folder per variant (<name>/variant.toml and the files it replaces)", kind)
				continue
			}
			v, vps := c.loadVariant(l, kind, e.Name(), dir)
			ps = append(ps, vps...)
			if v != nil {
				out = append(out, v)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind == VariantWrong
		}
		return out[i].Name < out[j].Name
	})
	return out, ps
}

func (c *Course) loadVariant(l *Lab, kind, name, dir string) (*Variant, Problems) {
	var ps Problems
	file := path.Join(dir, "variant.toml")
	src, err := fs.ReadFile(c.FS, file)
	if err != nil {
		ps.add(dir, 0, "no variant.toml: give the variant a `why = \"...\"`%s", map[bool]string{true: " and the `task = \"...\"` that must refuse it", false: ""}[kind == VariantWrong])
		return nil, ps
	}
	var m variantManifest
	_, lines, dps, ok := decodeStrict(file, src, &m, "task, tasks, why, delete, race")
	ps = append(ps, dps...)
	if !ok {
		return nil, ps
	}
	v := &Variant{Kind: kind, Name: name, Dir: dir, Why: strings.TrimSpace(m.Why), Delete: m.Delete, Race: m.Race}
	if m.Task != "" {
		v.Tasks = append(v.Tasks, m.Task)
	}
	v.Tasks = append(v.Tasks, m.Tasks...)
	if v.Why == "" {
		ps.add(file, 1, "missing why: one sentence on the %s", map[bool]string{true: "plausible bug it plants", false: "different correct design it is"}[kind == VariantWrong])
	}
	switch {
	case kind == VariantWrong && len(v.Tasks) == 0:
		ps.add(file, 1, "missing task: name the task that must refuse this wrong variant (task = \"id\")")
	case kind == VariantAlt && len(v.Tasks) > 0:
		ps.add(file, lines.find(toml.Key{"task"}), "an alternative solution passes every task: remove task/tasks")
	case kind == VariantAlt && m.Race:
		ps.add(file, lines.find(toml.Key{"race"}), "race is for wrong variants")
	}
	for _, t := range v.Tasks {
		if l.Task(t) == nil {
			ps.add(file, lines.find(toml.Key{"task"}), "task %q is not a task of %s (tasks: %s)", t, l.ID, taskIDs(l))
		}
	}
	err = fs.WalkDir(c.FS, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel := strings.TrimPrefix(p, dir+"/")
		if rel == "variant.toml" {
			return nil
		}
		if strings.Contains(rel, "/") && strings.HasSuffix(rel, ".go") {
			// Other files (migrations/001_init.sql) keep the lab's layout; Go files are the one package.
			ps.add(p, 0, "variants replace files of the lab's one package: keep Go files directly in %s", dir)
			return nil
		}
		if strings.HasSuffix(rel, ".go") {
			data, _ := fs.ReadFile(c.FS, p)
			if !bytes.HasPrefix(data, []byte("//go:build labcheck\n")) {
				ps.add(p, 1, "must start with `//go:build labcheck`, or `go build ./...` compiles it as a package of its own")
			}
		}
		v.Files = append(v.Files, rel)
		return nil
	})
	if err != nil {
		ps.add(dir, 0, "%v", err)
	}
	if len(v.Files) == 0 && len(v.Delete) == 0 {
		ps.add(dir, 0, "the variant changes nothing: add the files it replaces (copies of solution files with the change)")
	}
	return v, ps
}

func taskIDs(l *Lab) string {
	ids := make([]string, len(l.Tasks))
	for i, t := range l.Tasks {
		ids[i] = t.ID
	}
	return strings.Join(ids, ", ")
}
