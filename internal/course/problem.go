package course

import (
	"fmt"
	"sort"
	"strings"
)

// A Problem is one thing wrong with the course, located so an author can jump to it.
type Problem struct {
	File string // relative to the course root, slash-separated
	Line int    // 1-based; 0 when the problem is about the whole file
	Msg  string
}

func (p Problem) Error() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Msg)
}

// Problems collects every problem found in one pass, so an author fixes them all at once
// instead of one per run.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

func (ps *Problems) add(file string, line int, format string, args ...any) {
	*ps = append(*ps, Problem{File: file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

func (ps Problems) sorted() Problems {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].File != ps[j].File {
			return ps[i].File < ps[j].File
		}
		return ps[i].Line < ps[j].Line
	})
	return ps
}

// err returns nil when there is nothing to report, so callers can return it directly.
func (ps Problems) err() error {
	if len(ps) == 0 {
		return nil
	}
	return ps.sorted()
}

// LabIDs returns the labs the problems are about (by their labs/<id>/ or lessons/<id>.md file),
// and whether every problem belongs to one: then the rest of the course is usable.
func (ps Problems) LabIDs() (ids map[string]bool, all bool) {
	ids = map[string]bool{}
	all = true
	for _, p := range ps {
		switch {
		case strings.HasPrefix(p.File, "labs/"):
			id, _, _ := strings.Cut(strings.TrimPrefix(p.File, "labs/"), "/")
			ids[id] = true
		case strings.HasPrefix(p.File, "lessons/") && strings.HasSuffix(p.File, ".md"):
			ids[strings.TrimSuffix(strings.TrimPrefix(p.File, "lessons/"), ".md")] = true
		default:
			all = false
		}
	}
	return ids, all
}
