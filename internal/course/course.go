// Package course loads and validates a course: lessons/NN-slug.md and labs/NN-slug/, from the
// embedded copy or an instructor's directory.
package course

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Course is a loaded, validated course.
type Course struct {
	FS    fs.FS  // holds lessons/, labs/, go.mod, go.sum
	Root  string // the directory for an external course; "" for the built-in one
	GoMod []byte
	GoSum []byte
	Labs  []*Lab // ordered by number
	Meta  Meta   // course.toml, when the course has one
}

// Lab is one labs/NN-slug directory with its lesson.
type Lab struct {
	ID       string // "05-caching": directory name, and the key of progress
	Number   int    // 5
	Slug     string // "caching"
	Dir      string // "labs/05-caching", inside Course.FS
	Title    string
	Topic    string // optional: what the lab teaches ("Caching"); see Heading
	Summary  string
	Services []string
	Timeout  time.Duration
	Mode     string
	Tasks    []Task
	Lesson   *Lesson
	// GoMod and GoSum are labs/NN-slug/lab.mod and lab.sum: the go.mod and go.sum a learner's
	// folder gets, listing only what the starter imports (written by `lab dev mod`). Nil when
	// the course has none: the folder then gets the course's whole go.mod.
	GoMod, GoSum []byte
}

// Task is a [[tasks]] entry of lab.toml.
type Task struct {
	ID      string
	Title   string
	Tests   []string
	Hints   []string
	Mutants []string // mutation mode: the mutants this task's tests must kill
	Line    int      // of its [[tasks]] header in lab.toml
}

// Task returns the task with that id, or nil.
func (l *Lab) Task(id string) *Task {
	for i := range l.Tasks {
		if l.Tasks[i].ID == id {
			return &l.Tasks[i]
		}
	}
	return nil
}

// TaskOfTest returns the task that lists the test, or nil.
func (l *Lab) TaskOfTest(test string) *Task {
	for i := range l.Tasks {
		for _, name := range l.Tasks[i].Tests {
			if name == test {
				return &l.Tasks[i]
			}
		}
	}
	return nil
}

var dirRe = regexp.MustCompile(`^([0-9]{2})-([a-z0-9]+(?:-[a-z0-9]+)*)$`)

// Load reads and validates the course in fsys. Every problem found is returned at once as
// Problems, each naming its file and line.
func Load(fsys fs.FS, root string) (*Course, error) {
	c := &Course{FS: fsys, Root: root}
	var ps Problems
	var err error
	if c.GoMod, err = fs.ReadFile(fsys, "go.mod"); err != nil {
		ps.add("go.mod", 0, "missing: a course is a Go module whose go.mod pins what the labs use")
	}
	c.GoSum, _ = fs.ReadFile(fsys, "go.sum") // a course with no dependencies has none
	var mps Problems
	c.Meta, mps = loadMeta(fsys)
	ps = append(ps, mps...)

	lessons := map[string]string{} // "05-caching" -> lessons/05-caching.md
	if ents, err := fs.ReadDir(fsys, "lessons"); err == nil {
		for _, e := range ents {
			name := e.Name()
			if e.IsDir() || !strings.HasSuffix(name, ".md") {
				continue
			}
			id := strings.TrimSuffix(name, ".md")
			if !dirRe.MatchString(id) {
				ps.add("lessons/"+name, 0, "lesson files are named NN-slug.md (like 05-caching.md)")
				continue
			}
			lessons[id] = "lessons/" + name
		}
	} else {
		ps.add("lessons", 0, "missing lessons directory")
	}
	ents, err := fs.ReadDir(fsys, "labs")
	if err != nil {
		ps.add("labs", 0, "missing labs directory")
	}
	numbers := map[int]string{}
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		lab, lps := loadLab(fsys, e.Name(), lessons)
		ps = append(ps, lps...)
		delete(lessons, e.Name()) // claimed, even when its lab.toml is broken
		if lab == nil {
			continue
		}
		if other, ok := numbers[lab.Number]; ok {
			ps.add(lab.Dir, 0, "lab number %02d is taken by labs/%s", lab.Number, other)
		}
		numbers[lab.Number] = lab.ID
		c.Labs = append(c.Labs, lab)
	}
	for id, file := range lessons {
		ps.add(file, 0, "lesson has no lab: expected labs/%s/lab.toml", id)
	}
	sort.Slice(c.Labs, func(i, j int) bool { return c.Labs[i].Number < c.Labs[j].Number })
	if err := ps.err(); err != nil {
		return c, err
	}
	return c, nil
}

func loadLab(fsys fs.FS, name string, lessons map[string]string) (*Lab, Problems) {
	var ps Problems
	dir := "labs/" + name
	m := dirRe.FindStringSubmatch(name)
	if m == nil {
		ps.add(dir, 0, "lab directories are named NN-slug (like 05-caching)")
		return nil, ps
	}
	file := dir + "/lab.toml"
	src, err := fs.ReadFile(fsys, file)
	if err != nil {
		ps.add(file, 0, "missing: every lab has a lab.toml manifest")
		return nil, ps
	}
	lab, mps := parseManifest(file, src)
	ps = append(ps, mps...)
	if lab == nil {
		return nil, ps
	}
	lab.ID, lab.Dir, lab.Slug = name, dir, m[2]
	lab.Number, _ = strconv.Atoi(m[1])

	for _, sub := range []string{"starter", "solution", "check"} {
		if st, err := fs.Stat(fsys, dir+"/"+sub); err != nil || !st.IsDir() {
			ps.add(dir, 0, "missing %s/ directory", sub)
		}
	}

	if data, err := fs.ReadFile(fsys, dir+"/"+LabModFile); err == nil {
		lab.GoMod = data
		lab.GoSum, _ = fs.ReadFile(fsys, dir+"/"+LabSumFile)
	}

	lessonFile, ok := lessons[name]
	if !ok {
		ps.add(file, 0, "no lesson: expected lessons/%s.md", name)
		return lab, ps
	}
	lsrc, err := fs.ReadFile(fsys, lessonFile)
	if err != nil {
		ps.add(lessonFile, 0, "%v", err)
		return lab, ps
	}
	lesson, lps := parseLesson(lessonFile, lsrc)
	ps = append(ps, lps...)
	lab.Lesson = lesson
	for _, t := range lab.Tasks {
		if t.ID != "" && lesson.Section(t.ID) == nil {
			ps.add(file, t.Line, "task %q has no section in %s (add a heading \"## Task: %s — %s\")", t.ID, lessonFile, t.ID, t.Title)
		}
	}
	for _, s := range lesson.Sections {
		if lab.Task(s.TaskID) == nil {
			ps.add(lessonFile, s.Line, "section for task %q, which %s does not list", s.TaskID, file)
		}
	}
	return lab, ps
}

// numSlugRe splits "5-caching" or "005-caching" into number and slug, as course pages write them.
var numSlugRe = regexp.MustCompile(`^0*([0-9]+)-(.+)$`)

// Resolve finds a lab by "5", "05", "caching", "05-caching" or "5-caching" (any case).
func (c *Course) Resolve(name string) (*Lab, error) {
	q := strings.ToLower(strings.TrimSpace(name))
	if q == "" {
		return nil, errors.New("no lab named: give a number or a name, like 1 or rest-api")
	}
	if m := numSlugRe.FindStringSubmatch(q); m != nil {
		// Number and slug must name the same lab; when they don't, the suggestion below says
		// which lab the learner probably meant.
		n, _ := strconv.Atoi(m[1])
		for _, l := range c.Labs {
			if l.Number == n && l.Slug == m[2] {
				return l, nil
			}
		}
		q = fmt.Sprintf("%02d-%s", n, m[2])
	}
	if n, err := strconv.Atoi(q); err == nil {
		for _, l := range c.Labs {
			if l.Number == n {
				return l, nil
			}
		}
	}
	for _, l := range c.Labs {
		if q == l.ID || q == l.Slug {
			return l, nil
		}
	}
	var prefixed []*Lab
	for _, l := range c.Labs {
		if strings.HasPrefix(l.Slug, q) || strings.HasPrefix(l.ID, q) {
			prefixed = append(prefixed, l)
		}
	}
	if len(prefixed) == 1 {
		return prefixed[0], nil
	}
	best, bestD := "", 1<<30
	for _, l := range c.Labs {
		for _, cand := range []string{l.ID, l.Slug} {
			if d := distance(q, cand); d < bestD {
				best, bestD = l.ID, d
			}
		}
	}
	msg := fmt.Sprintf("unknown lab %q", name)
	if best != "" && bestD <= 3 {
		msg += fmt.Sprintf("; did you mean %s?", best)
	}
	return nil, fmt.Errorf("%s (see `lab list`)", msg)
}

// distance is the Levenshtein distance, for "did you mean".
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Files lists the regular files under one of the lab's parts ("starter", "solution", "check"),
// as slash paths relative to that part.
func (c *Course) Files(l *Lab, part string) ([]string, error) {
	root := l.Dir + "/" + part
	var out []string
	err := fs.WalkDir(c.FS, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			out = append(out, strings.TrimPrefix(p, root+"/"))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", root, err)
	}
	return out, nil
}

// ReadFile reads a file of one of the lab's parts.
func (c *Course) ReadFile(l *Lab, part, name string) ([]byte, error) {
	return fs.ReadFile(c.FS, path.Join(l.Dir, part, name))
}

// HiddenTests parses check/*_test.go and returns the Test and Fuzz functions it defines, with
// the file:line of each.
func (c *Course) HiddenTests(l *Lab) (map[string]string, error) {
	files, err := c.Files(l, "check")
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	fset := token.NewFileSet()
	for _, name := range files {
		if !strings.HasSuffix(name, "_test.go") || strings.Contains(name, "/") {
			continue
		}
		src, err := c.ReadFile(l, "check", name)
		if err != nil {
			return nil, err
		}
		f, err := parser.ParseFile(fset, l.Dir+"/check/"+name, src, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv != nil || !testNameRe.MatchString(fd.Name.Name) || fd.Name.Name == "TestMain" {
				continue
			}
			out[fd.Name.Name] = fset.Position(fd.Pos()).String()
		}
	}
	return out, nil
}

// The files beside lab.toml that hold a learner folder's go.mod and go.sum. Not named go.mod:
// a go.mod would make the lab its own module, which //go:embed refuses (see DESIGN.md).
const (
	LabModFile = "lab.mod"
	LabSumFile = "lab.sum"
)

// Heading is how lists and headers name a lab, topic first: "Caching — Product catalog over a
// slow database", or the title alone when lab.toml has no topic (or the title already starts
// with it).
func (l *Lab) Heading() string {
	switch {
	case l.Topic == "":
		return l.Title
	case l.Title == "" || strings.EqualFold(l.Topic, l.Title):
		return l.Topic
	case len(l.Title) > len(l.Topic) && strings.EqualFold(l.Title[:len(l.Topic)], l.Topic):
		return l.Title
	}
	return l.Topic + " — " + l.Title
}
