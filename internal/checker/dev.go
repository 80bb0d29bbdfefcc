package checker

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/learnlab/lab/internal/course"
	"github.com/learnlab/lab/internal/runner"
	"github.com/learnlab/lab/internal/workspace"
)

// DevOptions says which labs `lab dev check` validates.
type DevOptions struct {
	Course   *course.Course
	Labs     []*course.Lab // nil: every lab of the course
	Services Acquirer
	Parallel int // labs checked at once (default 2)
	// Count grades the solution, every alternative and every wrong variant this many times
	// (default 1), so a test that catches a bug only when the scheduler is kind shows up as a
	// refusal rate below 100 %, and a flaky pass of a correct design as a failure.
	Count int
	// RaceCount is the count for wrong variants marked race = true (default Count).
	RaceCount int
	// RequireVariants makes missing coverage a problem: a task with no wrong variant, or a lab
	// with fewer than two alternative solutions.
	RequireVariants bool
	// Verbose keeps every graded run's report in DevResult.Parts (`lab dev check -v`).
	Verbose bool
	// Done is called as each lab finishes (from its own goroutine, serialised).
	Done func(DevResult)
}

// DevResult is the validation of one lab.
type DevResult struct {
	Lab      *course.Lab
	Problems []string  // each names the file or the part it is about; empty means the lab is fine
	Skipped  string    // why the lab was not validated (for example an unsupported mode)
	Coverage []string  // how well the hidden tests are themselves tested (wrong variants, alternatives)
	Parts    []DevPart // with DevOptions.Verbose: every graded run, in order
	Duration time.Duration
}

// OK reports whether the lab passed validation.
func (r DevResult) OK() bool { return len(r.Problems) == 0 }

// DevChecker validates one lab of a given mode. Modes other than "tests" register theirs in
// DevCheckers (mutation.go registers "mutation").
type DevChecker func(ctx context.Context, c *course.Course, l *course.Lab, svc Acquirer) []string

// DevCheckers maps a lab.toml mode to its validation.
var DevCheckers = map[string]DevChecker{
	course.ModeTests: devCheckTests,
}

// DevCheck validates labs for instructors and CI: the manifest and lesson (already loaded by
// course.Load), every Test in check/ belongs to exactly one task and every listed test exists,
// every task has hints and a TODO marker, the starter builds, passes go vet and fails every
// task, the solution passes every task. Labs run in parallel. The error is only for the
// environment (ErrEnvironment) or a cancelled ctx.
func DevCheck(ctx context.Context, opts DevOptions) ([]DevResult, error) {
	if _, err := runner.GoPath(); err != nil {
		return nil, envError{err}
	}
	labs := opts.Labs
	if labs == nil {
		labs = opts.Course.Labs
	}
	par := opts.Parallel
	if par <= 0 {
		par = 2
	}
	results := make([]DevResult, len(labs))
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i, l := range labs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			start := time.Now()
			res := DevResult{Lab: l}
			ctx := ctx // this lab's: -v collects its reports in it
			var collected *devReports
			if opts.Verbose {
				collected = &devReports{}
				ctx = context.WithValue(ctx, devReportsKey{}, collected)
			}
			if check, ok := DevCheckers[l.Mode]; ok {
				res.Problems = append(devCheckMod(ctx, opts.Course, l), check(ctx, opts.Course, l, opts.Services)...)
				if len(res.Problems) == 0 && ctx.Err() == nil {
					res.Problems, res.Coverage = devCheckVariants(ctx, opts, l)
				}
			} else {
				res.Skipped = fmt.Sprintf("mode %q is not supported by dev check yet", l.Mode)
			}
			res.Duration = time.Since(start)
			if collected != nil {
				res.Parts = collected.parts
			}
			results[i] = res
			if opts.Done != nil {
				mu.Lock()
				opts.Done(res)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return results, err
	}
	for _, r := range results {
		for _, p := range r.Problems {
			if strings.HasPrefix(p, envPrefix) {
				return results, envErr("%s", strings.TrimPrefix(p, envPrefix))
			}
		}
	}
	return results, nil
}

const envPrefix = "environment: "

func devCheckTests(ctx context.Context, c *course.Course, l *course.Lab, svc Acquirer) []string {
	var ps []string
	add := func(format string, a ...any) { ps = append(ps, fmt.Sprintf(format, a...)) }
	manifest := l.Dir + "/lab.toml"

	// Tests and tasks.
	hidden, err := c.HiddenTests(l)
	if err != nil {
		add("%s/check: %v", l.Dir, err)
	}
	owner := map[string]string{}
	for _, t := range l.Tasks {
		for _, name := range t.Tests {
			if prev, dup := owner[name]; dup {
				add("%s:%d: %s is listed by tasks %q and %q: a test belongs to exactly one task", manifest, t.Line, name, prev, t.ID)
			}
			owner[name] = t.ID
			if _, ok := hidden[name]; !ok && err == nil {
				add("%s:%d: task %q lists %s, which no check/*_test.go defines", manifest, t.Line, t.ID, name)
			}
		}
	}
	var names []string
	for name := range hidden {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if _, ok := owner[name]; !ok {
			add("%s: %s belongs to no task: list it in a task's tests in lab.toml (or rename it so it is not a test)", hidden[name], name)
		}
	}

	ps = append(ps, devCheckTaskText(c, l)...)
	if len(ps) > 0 && err != nil {
		return ps
	}

	// Starter: builds, vets, fails every task. Solution: passes every task.
	for _, part := range []string{"starter", "solution"} {
		r, pps, stop := devGradePart(ctx, c, l, part, svc, nil)
		ps = append(ps, pps...)
		if stop {
			return ps
		}
		if r == nil {
			continue
		}
		for _, t := range r.Tasks {
			switch {
			case part == "starter" && t.Status == Pass:
				add("%s/starter: task %q already passes on the starter: its tests must fail until the learner does the task", l.Dir, t.ID)
			case part == "starter":
				for _, tt := range t.Tests {
					if _, defined := hidden[tt.Name]; tt.Status == Pass || !defined {
						continue // an undefined test is already reported, once, above
					}
					if tt.Message == "" || strings.HasPrefix(tt.Message, "did not run") || strings.HasPrefix(tt.Message, "failed without a message") {
						add("%s/starter: %s fails without a helpful message (%q): failing must come from missing behaviour, with got/want", l.Dir, tt.Name, tt.Message)
					}
				}
			case part == "solution" && t.Status != Pass:
				add("%s/solution: task %q does not pass: %s", l.Dir, t.ID, firstLine(t.Message))
			}
		}
	}
	return ps
}

// devGradePart writes a lab part as a learner's folder, checks the starter builds and vets
// (and whatever more starterChecks says of it), and grades it. A nil report means the part
// could not be graded (the problems say why); stop means dev check of this lab must end here
// (cancelled, or the machine lacks something).
func devGradePart(ctx context.Context, c *course.Course, l *course.Lab, part string, svc Acquirer, starterChecks func(dir string) []string, opts ...func(*Options)) (r *Report, ps []string, stop bool) {
	dir, cleanup, err := materialize(c, l, part)
	if err != nil {
		return nil, []string{fmt.Sprintf("%s/%s: %v", l.Dir, part, err)}, false
	}
	defer cleanup()
	if part == "starter" {
		ps = append(ps, buildAndVet(ctx, l, dir)...)
		if starterChecks != nil {
			ps = append(ps, starterChecks(dir)...)
		}
	}
	o := Options{Course: c, Lab: l, Dir: dir, Services: svc}
	for _, f := range opts {
		f(&o)
	}
	r, err = Run(ctx, o)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ps, true
		}
		return nil, append(ps, envPrefix+fmt.Sprintf("%s: %v", l.ID, err)), true
	}
	devRecord(ctx, part, r)
	if r.Status == Error || r.Status == Timeout {
		return nil, append(ps, authorMessage(l, part, r)), false
	}
	return r, ps, false
}

// authorMessage says why a lab part could not be graded, to the lab's author: the learner's
// wording ("your code", "lab reset") is about a workspace the author does not have.
func authorMessage(l *course.Lab, part string, r *Report) string {
	where := l.Dir + "/" + part
	if r.Status == Timeout {
		return fmt.Sprintf("%s: timed out (lab.toml timeout = %q): %s — a hidden test or the %s blocks; run `lab dev check %s -v` to see each test's output", where, l.Timeout, r.Message, part, l.ID)
	}
	if r.Build != "" {
		return fmt.Sprintf("%s does not compile with the hidden tests (files named zz_lab_*_test.go are check/*_test.go):\n%s\nFix %s, or the hidden test at the line named, so both use the same names and signatures.", where, strings.TrimSpace(r.Build), where)
	}
	return fmt.Sprintf("%s: the check could not grade it (%s): %s", where, r.Status, r.Message)
}

// devReports collects the reports of one lab's dev check for `lab dev check -v`.
type devReports struct {
	mu    sync.Mutex
	parts []DevPart
}

type devReportsKey struct{}

// DevPart is one graded run of dev check: the starter, the solution, or a variant.
type DevPart struct {
	Name   string // "starter", "solution", "wrong/delete-first", "alt/write-through"
	Report *Report
}

func devRecord(ctx context.Context, name string, r *Report) {
	if c, ok := ctx.Value(devReportsKey{}).(*devReports); ok && r != nil {
		c.mu.Lock()
		c.parts = append(c.parts, DevPart{Name: name, Report: r})
		c.mu.Unlock()
	}
}

// devCheckTaskText checks what every mode needs of each task: a lesson section, hints and a
// TODO marker in the starter.
func devCheckTaskText(c *course.Course, l *course.Lab) []string {
	var ps []string
	add := func(format string, a ...any) { ps = append(ps, fmt.Sprintf(format, a...)) }
	manifest := l.Dir + "/lab.toml"
	for _, t := range l.Tasks {
		if l.Lesson == nil || l.Lesson.Section(t.ID) == nil {
			add("%s:%d: task %q has no section in lessons/%s.md (\"## Task: %s — %s\")", manifest, t.Line, t.ID, l.ID, t.ID, t.Title)
		} else if sec := l.Lesson.Section(t.ID); !sameTitle(sec.Title, t.Title) {
			add("%s:%d: task %q is titled %q in the lesson and %q in %s:%d: learners see both (the lesson's heading, the task list's title), so make them the same", l.Lesson.Path, sec.Line, t.ID, sec.Title, t.Title, manifest, t.Line)
		}
		if len(t.Hints) == 0 {
			add("%s:%d: task %q has no hints: give at least one", manifest, t.Line, t.ID)
		}
		if files, err := workspace.TaskFiles(c, l, t.ID); err != nil {
			add("%s/starter: %v", l.Dir, err)
		} else if len(files) == 0 {
			add("%s/starter: no file holds a `// TODO(%s)` marker for task %q", l.Dir, t.ID, t.ID)
		}
	}
	return append(ps, devCheckLayout(c, l)...)
}

// devCheckMod fails a lab whose lab.mod or lab.sum is missing or no longer what `lab dev mod`
// computes from the starter and the course's go.mod: learners would get a go.mod that `go mod
// tidy` changes, or one missing what the starter imports.
func devCheckMod(ctx context.Context, c *course.Course, l *course.Lab) []string {
	fix := "run `lab --course DIR dev mod " + strconv.Itoa(l.Number) + "` (DIR: the course folder) and commit the files"
	if l.GoMod == nil {
		return []string{fmt.Sprintf("%s/%s: missing: it is the go.mod learners get; %s", l.Dir, course.LabModFile, fix)}
	}
	gomod, gosum, err := workspace.TidyModFiles(ctx, c, l)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return []string{envPrefix + err.Error()}
	}
	var ps []string
	if !bytes.Equal(gomod, l.GoMod) {
		ps = append(ps, fmt.Sprintf("%s/%s is stale: the starter's imports or the course's go.mod changed; %s", l.Dir, course.LabModFile, fix))
	} else if !bytes.Equal(gosum, l.GoSum) {
		ps = append(ps, fmt.Sprintf("%s/%s is stale; %s", l.Dir, course.LabSumFile, fix))
	}
	return ps
}

// devCheckLayout catches what would ship to learners by mistake: stray folders beside the
// lab's four parts (everything under labs/ is embedded in the binary), Go subpackages (the
// starter becomes its own module in the workspace, where their import paths would break), and
// editor or OS junk.
func devCheckLayout(c *course.Course, l *course.Lab) []string {
	var ps []string
	ents, err := fs.ReadDir(c.FS, l.Dir)
	if err != nil {
		return []string{fmt.Sprintf("%s: %v", l.Dir, err)}
	}
	for _, e := range ents {
		switch e.Name() {
		case "lab.toml", "starter", "solution", "check", course.LabModFile, course.LabSumFile:
		default:
			ps = append(ps, fmt.Sprintf("%s/%s: not part of a lab (a lab holds lab.toml, lab.mod, lab.sum, starter/, solution/ and check/): remove it, it would ship in the binary", l.Dir, e.Name()))
		}
	}
	for _, part := range []string{"starter", "solution"} {
		files, err := c.Files(l, part)
		if err != nil {
			continue
		}
		for _, f := range files {
			base := path.Base(f)
			switch {
			case strings.Contains(f, "/") && strings.HasSuffix(f, ".go"):
				ps = append(ps, fmt.Sprintf("%s/%s/%s: Go files in a subfolder make a subpackage, which breaks in the learner's module: keep the lab one package", l.Dir, part, f))
			case base == ".DS_Store" || strings.HasSuffix(base, ".swp") || strings.HasSuffix(base, "~") || strings.HasSuffix(base, ".orig"):
				ps = append(ps, fmt.Sprintf("%s/%s/%s: editor or OS leftover: remove it", l.Dir, part, f))
			default:
				if why := buildOutput(c, l, part, f); why != "" {
					ps = append(ps, fmt.Sprintf("%s/%s/%s: %s; `lab start` would copy it into every learner's folder: delete it (a `go build` inside %s/ leaves one; the course's .gitignore from `lab new` keeps it out of git)", l.Dir, part, f, why, part))
				}
			}
		}
	}
	return ps
}

// materialize writes a lab part as `lab start` would: the files, go.mod and go.sum.
func materialize(c *course.Course, l *course.Lab, part string) (string, func(), error) {
	tmp, err := os.MkdirTemp("", "lab-dev-"+l.ID+"-")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { os.RemoveAll(tmp) }
	dir := filepath.Join(tmp, l.ID)
	files, err := c.Files(l, part)
	if err == nil {
		for _, name := range files {
			var data []byte
			if data, err = c.ReadFile(l, part, name); err != nil {
				break
			}
			p := filepath.Join(dir, filepath.FromSlash(name))
			if err = os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				break
			}
			if err = os.WriteFile(p, data, 0o644); err != nil {
				break
			}
		}
	}
	if err == nil {
		var gomod, gosum []byte
		if gomod, gosum, err = workspace.StartModFiles(c, l); err == nil {
			os.MkdirAll(dir, 0o755)
			if err = os.WriteFile(filepath.Join(dir, "go.mod"), gomod, 0o644); err == nil {
				err = os.WriteFile(filepath.Join(dir, "go.sum"), gosum, 0o644)
			}
		}
	}
	if err != nil {
		cleanup()
		return "", nil, err
	}
	return dir, cleanup, nil
}

// buildAndVet runs `go vet` on the starter, as the learner's editor would see it. vet
// type-checks every file (so it also proves the starter compiles); `go build` adds the link.
func buildAndVet(ctx context.Context, l *course.Lab, dir string) []string {
	env := runner.Env(os.Environ(), map[string]string{"GOFLAGS": "-mod=readonly", "GOWORK": "off", "GOTOOLCHAIN": "local"})
	var ps []string
	for _, args := range [][]string{{"build", "-o", os.DevNull, "."}, {"vet", "."}} {
		res, err := runner.Run(ctx, runner.Spec{Args: args, Dir: dir, Env: env, Deadline: runner.NewDeadline(time.Now().Add(BuildTimeout))})
		if err != nil {
			return []string{envPrefix + err.Error()}
		}
		if res.ExitCode != 0 {
			out := strings.ReplaceAll(strings.TrimSpace(res.Stderr), dir+string(filepath.Separator), "")
			ps = append(ps, fmt.Sprintf("%s/starter: `go %s` fails:\n%s", l.Dir, args[0], capLines(out, 15)))
			break
		}
	}
	return ps
}

// maxLabFile is the largest file a starter or solution should hold: source and small fixtures.
const maxLabFile = 1 << 20

// buildOutput says why a lab file looks like something built rather than written (an
// executable, an object file, any binary or oversized file), or "" when it looks like source.
func buildOutput(c *course.Course, l *course.Lab, part, name string) string {
	data, err := c.ReadFile(l, part, name)
	if err != nil {
		return ""
	}
	for _, m := range []struct{ magic, what string }{
		{"\x7fELF", "an ELF executable"}, {"MZ", "a Windows executable"},
		{"\xcf\xfa\xed\xfe", "a Mach-O executable"}, {"\xca\xfe\xba\xbe", "a Mach-O executable"},
		{"!<arch>\n", "a compiled archive"},
	} {
		if strings.HasPrefix(string(data), m.magic) && (m.magic != "MZ" || bytes.Contains(data[:min(len(data), 512)], []byte("PE\x00\x00"))) {
			return "this is " + m.what
		}
	}
	if len(data) > maxLabFile {
		return fmt.Sprintf("%d MB is too large for source", len(data)>>20)
	}
	if bytes.IndexByte(data[:min(len(data), 8000)], 0) >= 0 && !strings.HasPrefix(name, "testdata/") {
		return "a binary file"
	}
	return ""
}

// sameTitle compares titles as a reader sees them: markdown emphasis, code ticks, case and
// spacing aside.
func sameTitle(a, b string) bool {
	norm := func(s string) string {
		s = strings.NewReplacer("`", "", "*", "", "_", "").Replace(s)
		return strings.ToLower(strings.Join(strings.Fields(s), " "))
	}
	return norm(a) == norm(b)
}
