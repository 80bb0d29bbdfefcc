package checker

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/semver"

	"github.com/learnlab/lab/internal/course"
	"github.com/learnlab/lab/internal/workspace"
)

// hiddenPrefix names the hidden tests inside the learner's folder at check time. A learner file
// cannot collide with it because every learner *_test.go is blanked anyway.
const hiddenPrefix = "zz_lab_"

// plan is everything a run needs besides the process: the overlay and how to read the output.
type plan struct {
	tmp      string            // holds the overlay and the files it points to; removed after the run
	overlay  string            // path of the overlay JSON
	hidden   map[string]string // overlay source path -> how to show it ("hidden test books_test.go")
	files    []string          // hidden test file names as the compiler reports them (zz_lab_books_test.go)
	sources  []string          // the hidden test files in tmp, removed once compiled
	seals    map[string]string // test -> the line its wrapper logs when it returns normally
	nonce    string            // the run's seal nonce (sealNonceEnv): part of every seal
	dropped  []string          // learner replace directives that were ignored
	modNotes []string
	module   string // the learner's module path, as the check builds it
}

func (p *plan) cleanup() {
	if p.tmp != "" {
		os.RemoveAll(p.tmp)
	}
}

// binDir holds the test binary; gotmp is the go command's work folder (GOTMPDIR).
func (p *plan) binDir() string { return filepath.Join(p.tmp, "bin") }
func (p *plan) gotmp() string  { return filepath.Join(p.tmp, "gotmp") }

// compiled removes everything but the test binary: no source of a hidden test, no seal, no
// overlay stays on disk while learner code runs.
func (p *plan) compiled() {
	ents, _ := os.ReadDir(p.tmp)
	for _, e := range ents {
		if e.Name() != "bin" {
			os.RemoveAll(filepath.Join(p.tmp, e.Name()))
		}
	}
}

// prepare writes the overlay for checking dir against the lab's hidden tests. Nothing is
// written inside dir.
func prepare(c *course.Course, l *course.Lab, dir string, fresh bool) (*plan, error) {
	tmp, err := newCheckDir(checkDirPrefix)
	if err != nil {
		return nil, fmt.Errorf("%w: create a temporary folder: %v", ErrEnvironment, err)
	}
	p := &plan{tmp: tmp, hidden: map[string]string{}, seals: map[string]string{}, nonce: newNonce()}
	ok := false
	defer func() {
		if !ok {
			p.cleanup()
		}
	}()
	replace := map[string]string{}

	// Learner tests never run: blank every *_test.go of the package.
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), "_test.go") {
			replace[filepath.Join(dir, e.Name())] = ""
		}
	}
	files, err := c.Files(l, "check")
	if err != nil {
		return nil, err
	}
	numbers := keyedSealer(l.ID)
	if fresh {
		numbers = freshSealer()
	}
	for _, name := range files {
		if strings.Contains(name, "/") || !strings.HasSuffix(name, ".go") {
			continue
		}
		data, err := c.ReadFile(l, "check", name)
		if err != nil {
			return nil, err
		}
		in := hiddenPrefix + name
		if !strings.HasSuffix(in, "_test.go") {
			in = strings.TrimSuffix(in, ".go") + "_test.go"
		}
		src := filepath.Join(tmp, in)
		if data, err = seal(l, name, data, p.seals, numbers, p.nonce); err != nil {
			return nil, err
		}
		p.sources = append(p.sources, src)
		if err := os.WriteFile(src, data, 0o644); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrEnvironment, err)
		}
		replace[filepath.Join(dir, in)] = src
		p.hidden[src] = "hidden test " + name
		p.files = append(p.files, in)
	}

	if len(p.seals) > 0 {
		in := "zzzz_lab_seal_test.go"
		src := filepath.Join(tmp, in)
		if err := os.WriteFile(src, []byte(sealHelper), 0o644); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrEnvironment, err)
		}
		replace[filepath.Join(dir, in)] = src
		p.hidden[src] = "lab's test wrapper"
		p.sources = append(p.sources, src)
	}

	if err := p.writeOverlay(c, l, dir, replace); err != nil {
		return nil, err
	}
	ok = true
	return p, nil
}

// writeOverlay adds the check-time go.mod and go.sum to replace and writes the overlay JSON.
func (p *plan) writeOverlay(c *course.Course, l *course.Lab, dir string, replace map[string]string) error {
	gomod, gosum, dropped, err := checkModFiles(c, l, dir)
	if err != nil {
		return err
	}
	p.dropped = dropped
	p.module = modfile.ModulePath(gomod)
	for _, d := range []string{p.binDir(), p.gotmp()} {
		if err := os.Mkdir(d, 0o700); err != nil {
			return fmt.Errorf("%w: %v", ErrEnvironment, err)
		}
	}
	modPath, sumPath := filepath.Join(p.tmp, "go.mod"), filepath.Join(p.tmp, "go.sum")
	if err := os.WriteFile(modPath, gomod, 0o644); err != nil {
		return fmt.Errorf("%w: %v", ErrEnvironment, err)
	}
	if err := os.WriteFile(sumPath, gosum, 0o644); err != nil {
		return fmt.Errorf("%w: %v", ErrEnvironment, err)
	}
	replace[filepath.Join(dir, "go.mod")] = modPath
	replace[filepath.Join(dir, "go.sum")] = sumPath
	p.hidden[modPath] = "go.mod (as lab check builds it)"
	wdPath := filepath.Join(p.tmp, "zzzz_lab_watchdog_test.go")
	if err := os.WriteFile(wdPath, []byte(watchdog), 0o644); err != nil {
		return fmt.Errorf("%w: %v", ErrEnvironment, err)
	}
	replace[filepath.Join(dir, "zzzz_lab_watchdog_test.go")] = wdPath
	p.hidden[wdPath] = "lab's watchdog"

	data, err := json.Marshal(map[string]any{"Replace": replace})
	if err != nil {
		return err
	}
	p.overlay = filepath.Join(p.tmp, "overlay.json")
	if err := os.WriteFile(p.overlay, data, 0o644); err != nil {
		return fmt.Errorf("%w: %v", ErrEnvironment, err)
	}
	return nil
}

// checkModFiles builds the go.mod and go.sum a check uses: the learner's requirements merged
// with the course's (the higher version wins), so a `go mod tidy` that dropped what only the
// hidden tests import does not break the check. Learner replace and exclude directives are
// dropped (and reported): a check always builds against the real, pinned dependencies. A
// missing or unreadable learner go.mod is replaced by the one `lab start` writes.
func checkModFiles(c *course.Course, l *course.Lab, dir string) (gomod, gosum []byte, dropped []string, err error) {
	base, err := workspace.ModFile(c, l)
	if err != nil {
		return nil, nil, nil, err
	}
	baseF, err := modfile.Parse("go.mod", base, nil)
	if err != nil {
		return nil, nil, nil, err
	}
	out := baseF
	if data, rerr := os.ReadFile(filepath.Join(dir, "go.mod")); rerr == nil {
		if lf, perr := modfile.Parse("go.mod", data, nil); perr == nil && lf.Module != nil {
			out = &modfile.File{}
			_ = out.AddModuleStmt(lf.Module.Mod.Path)
			if baseF.Go != nil {
				_ = out.AddGoStmt(baseF.Go.Version)
			}
			have := map[string]string{}
			indirect := map[string]bool{}
			for _, r := range baseF.Require {
				have[r.Mod.Path], indirect[r.Mod.Path] = r.Mod.Version, r.Indirect
			}
			for _, r := range lf.Require {
				if v, ok := have[r.Mod.Path]; !ok || semver.Compare(r.Mod.Version, v) > 0 {
					have[r.Mod.Path] = r.Mod.Version
					if !ok {
						indirect[r.Mod.Path] = r.Indirect
					}
				}
			}
			paths := make([]string, 0, len(have))
			for p := range have {
				paths = append(paths, p)
			}
			sort.Strings(paths)
			for _, p := range paths {
				out.AddNewRequire(p, have[p], indirect[p])
			}
			for _, r := range baseF.Replace {
				_ = out.AddReplace(r.Old.Path, r.Old.Version, r.New.Path, r.New.Version)
			}
			for _, r := range lf.Replace {
				dropped = append(dropped, fmt.Sprintf("replace %s => %s", modString(r.Old.Path, r.Old.Version), modString(r.New.Path, r.New.Version)))
			}
			for _, x := range lf.Exclude {
				dropped = append(dropped, "exclude "+modString(x.Mod.Path, x.Mod.Version))
			}
			out.SetRequireSeparateIndirect(out.Require)
			out.Cleanup()
		}
	} else if !errors.Is(rerr, fs.ErrNotExist) {
		return nil, nil, nil, rerr
	}
	gomod, err = out.Format()
	if err != nil {
		return nil, nil, nil, err
	}
	learnerSum, _ := os.ReadFile(filepath.Join(dir, "go.sum"))
	return gomod, unionSum(c.GoSum, learnerSum), dropped, nil
}

func modString(path, version string) string {
	if version == "" {
		return path
	}
	return path + " " + version
}

// unionSum merges go.sum files; for a module version both list, the first (the course's) wins,
// so an edited learner go.sum cannot swap a dependency's hash.
func unionSum(sums ...[]byte) []byte {
	seen := map[string]bool{}
	var lines []string
	for _, s := range sums {
		for _, ln := range strings.Split(string(s), "\n") {
			f := strings.Fields(ln)
			if len(f) != 3 {
				continue
			}
			key := f[0] + " " + f[1]
			if !seen[key] {
				seen[key] = true
				lines = append(lines, strings.Join(f, " "))
			}
		}
	}
	sort.Strings(lines)
	var b bytes.Buffer
	for _, ln := range lines {
		b.WriteString(ln)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// watchdog ends the test binary when the go command that runs it is gone. lab runs go test in
// a process group it kills on Ctrl-C or a deadline; but when lab itself is killed (SIGKILL, a
// closed terminal), the kernel kills the go command (runner's parent-death signal) and the test
// binary is orphaned: without this it would run on, with the learner's servers and loops,
// until its own -timeout.
const watchdog = `//go:build labcheck

package main

import (
	labos "os"
	labtime "time"
)

func init() {
	parent := labos.Getppid()
	go func() {
		for {
			labtime.Sleep(200 * labtime.Millisecond)
			if labos.Getppid() != parent {
				labos.Exit(3)
			}
		}
	}()
}
`
