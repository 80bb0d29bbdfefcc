package course

import (
	"bufio"
	"bytes"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// FormatVersion is the lab.toml format this build understands.
const FormatVersion = 1

// Grading modes a lab.toml may declare.
const (
	ModeTests    = "tests"    // hidden tests grade the learner's code
	ModeMutation = "mutation" // the learner's tests are graded against a reference and mutants
)

// manifest mirrors lab.toml. Strict decoding rejects anything not listed here.
type manifest struct {
	FormatVersion int            `toml:"format_version"`
	Title         string         `toml:"title"`
	Topic         string         `toml:"topic"`
	Summary       string         `toml:"summary"`
	Services      []string       `toml:"services"`
	Timeout       string         `toml:"timeout"`
	Mode          string         `toml:"mode"`
	Tasks         []manifestTask `toml:"tasks"`
}

type manifestTask struct {
	ID      string   `toml:"id"`
	Title   string   `toml:"title"`
	Tests   []string `toml:"tests"`
	Hints   []string `toml:"hints"`
	Mutants []string `toml:"mutants"`
}

var (
	taskIDRe   = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	testNameRe = regexp.MustCompile(`^(Test|Fuzz)[A-Za-z0-9_]*$`)
	lineRe     = regexp.MustCompile(`^toml: line (\d+)[^:]*: `)
	knownSvc   = map[string]bool{"redis": true, "postgres": true}
)

// DefaultTimeout bounds a whole check when lab.toml gives none.
const DefaultTimeout = 60 * time.Second

// parseManifest decodes lab.toml strictly. It returns what it could decode even when there
// are problems, so one run reports them all.
func parseManifest(file string, src []byte) (*Lab, Problems) {
	var m manifest
	md, lines, ps, ok := decodeStrict(file, src, &m, "format_version, title, topic, summary, services, timeout, mode, [[tasks]] id, title, tests, hints, mutants")
	if !ok {
		return nil, ps
	}
	l := &Lab{Title: m.Title, Topic: strings.TrimSpace(m.Topic), Summary: m.Summary, Services: m.Services, Mode: m.Mode, Timeout: DefaultTimeout}
	switch {
	case !md.IsDefined("format_version"):
		ps.add(file, 1, "missing format_version (this lab expects format_version = %d)", FormatVersion)
	case m.FormatVersion != FormatVersion:
		ps.add(file, lines.find(toml.Key{"format_version"}), "format_version %d is not supported by this lab binary (it reads %d): update lab", m.FormatVersion, FormatVersion)
	}
	if strings.TrimSpace(m.Title) == "" {
		ps.add(file, lines.find(toml.Key{"title"}), "missing title")
	}
	for _, s := range m.Services {
		if !knownSvc[s] {
			ps.add(file, lines.find(toml.Key{"services"}), "unknown service %q (known: redis, postgres)", s)
		}
	}
	if m.Timeout != "" {
		d, err := time.ParseDuration(m.Timeout)
		if err != nil || d <= 0 {
			ps.add(file, lines.find(toml.Key{"timeout"}), "timeout %q is not a positive duration like \"60s\"", m.Timeout)
		} else {
			l.Timeout = d
		}
	}
	switch m.Mode {
	case "":
		l.Mode = ModeTests
	case ModeTests, ModeMutation:
	default:
		ps.add(file, lines.find(toml.Key{"mode"}), "mode %q is not one of %q, %q", m.Mode, ModeTests, ModeMutation)
	}
	if len(m.Tasks) == 0 {
		ps.add(file, 0, "no [[tasks]]: a lab needs at least one task")
	}
	seenTask := map[string]int{}
	seenTest := map[string]string{}
	seenMutant := map[string]string{}
	for i, mt := range m.Tasks {
		line := lines.table("tasks", i)
		t := Task{ID: mt.ID, Title: mt.Title, Tests: mt.Tests, Hints: mt.Hints, Mutants: mt.Mutants, Line: line}
		switch {
		case mt.ID == "":
			ps.add(file, line, "task %d has no id", i+1)
		case !taskIDRe.MatchString(mt.ID):
			ps.add(file, line, "task id %q must be kebab-case (lowercase letters, digits, single dashes)", mt.ID)
		case seenTask[mt.ID] != 0:
			ps.add(file, line, "duplicate task id %q (first at line %d)", mt.ID, seenTask[mt.ID])
		default:
			seenTask[mt.ID] = line
		}
		if strings.TrimSpace(mt.Title) == "" {
			ps.add(file, line, "task %q has no title", mt.ID)
		}
		mutation := l.Mode == ModeMutation
		switch {
		case len(mt.Tests) == 0 && mutation:
			ps.add(file, line, "task %q lists no tests: in mode = \"mutation\", tests are the name prefixes of the learner's tests that grade the task (like \"TestPrice\")", mt.ID)
		case len(mt.Tests) == 0:
			ps.add(file, line, "task %q lists no tests: every task needs at least one hidden test", mt.ID)
		}
		for _, name := range mt.Tests {
			if !testNameRe.MatchString(name) {
				ps.add(file, line, "task %q: %q is not a Go test name (TestXxx or FuzzXxx)", mt.ID, name)
				continue
			}
			if other, ok := seenTest[name]; ok {
				ps.add(file, line, "test %s is listed by task %q and task %q: a test belongs to exactly one task", name, other, mt.ID)
				continue
			}
			if mutation {
				// Prefixes: a learner test belongs to the task whose prefix it starts with, so
				// no prefix may start another task's.
				for other, task := range seenTest {
					if task != mt.ID && (strings.HasPrefix(name, other) || strings.HasPrefix(other, name)) {
						ps.add(file, line, "test prefix %s (task %q) and %s (task %q) overlap: a learner test would belong to both", name, mt.ID, other, task)
					}
				}
			}
			seenTest[name] = mt.ID
		}
		switch {
		case mutation && len(mt.Mutants) == 0:
			ps.add(file, line, "task %q lists no mutants: in mode = \"mutation\" every task names the mutants (check/mutants/<id>/) its tests must catch", mt.ID)
		case !mutation && len(mt.Mutants) > 0:
			ps.add(file, line, "task %q lists mutants, which only a lab with mode = \"mutation\" uses", mt.ID)
		}
		for _, id := range mt.Mutants {
			if !taskIDRe.MatchString(id) {
				ps.add(file, line, "task %q: mutant id %q must be kebab-case (it names the folder check/mutants/%s/)", mt.ID, id, id)
			} else if other, ok := seenMutant[id]; ok {
				ps.add(file, line, "mutant %s is listed by task %q and task %q: a mutant belongs to exactly one task", id, other, mt.ID)
			} else {
				seenMutant[id] = mt.ID
			}
		}
		l.Tasks = append(l.Tasks, t)
	}
	return l, ps
}

// keyLines finds where a key sits in a TOML file. BurntSushi/toml keeps key positions private,
// so this rescans the text; it only needs to be right for files that already parsed.
type keyLines struct {
	lines []string
}

func newKeyLines(src []byte) keyLines {
	var kl keyLines
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		kl.lines = append(kl.lines, sc.Text())
	}
	return kl
}

// table returns the line of the n-th (0-based) [[name]] header.
func (kl keyLines) table(name string, n int) int {
	seen := 0
	for i, ln := range kl.lines {
		if strings.TrimSpace(stripComment(ln)) == "[["+name+"]]" {
			if seen == n {
				return i + 1
			}
			seen++
		}
	}
	return 0
}

// find returns the line of the first assignment of the key's last part inside the table the
// key's other parts name (array tables included), or 0.
func (kl keyLines) find(k toml.Key) int {
	if len(k) == 0 {
		return 0
	}
	want := strings.Join(k[:len(k)-1], ".")
	last := k[len(k)-1]
	table := ""
	for i, ln := range kl.lines {
		s := strings.TrimSpace(stripComment(ln))
		if strings.HasPrefix(s, "[") {
			table = strings.Trim(s, "[] ")
			if table == strings.Join(k, ".") {
				return i + 1 // an unknown table
			}
			continue
		}
		if table != want {
			continue
		}
		if eq := strings.Index(s, "="); eq > 0 {
			key := strings.Trim(strings.TrimSpace(s[:eq]), `"'`)
			if key == last {
				return i + 1
			}
		}
	}
	return 0
}

func stripComment(s string) string {
	if i := strings.Index(s, "#"); i >= 0 && !strings.ContainsAny(s[:i], `"'`) {
		return s[:i]
	}
	return s
}

// decodeStrict decodes a TOML file of the course into v: a syntax or type error, or a key v
// does not know, is a problem at its line (known lists the keys for the message). ok is false
// when nothing could be decoded.
func decodeStrict(file string, src []byte, v any, known string) (md toml.MetaData, lines keyLines, ps Problems, ok bool) {
	md, err := toml.NewDecoder(bytes.NewReader(src)).Decode(v)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			ps.add(file, pe.Position.Line, "%s", pe.Message)
		} else if m := lineRe.FindStringSubmatch(err.Error()); m != nil {
			// Type mismatches come back as plain errors that name the line in their text.
			n, _ := strconv.Atoi(m[1])
			ps.add(file, n, "%s", strings.TrimPrefix(err.Error(), m[0]))
		} else {
			ps.add(file, 0, "%v", err)
		}
		return md, keyLines{}, ps, false
	}
	lines = newKeyLines(src)
	for _, k := range md.Undecoded() {
		ps.add(file, lines.find(k), "unknown key %q (known: %s)", k.String(), known)
	}
	return md, lines, ps, true
}
