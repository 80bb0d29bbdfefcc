package checker

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/learnlab/lab/internal/course"
)

// devCheckVariants tests the hidden tests: every wrong variant (the reference with one
// plausible bug) must be refused by the task it names, every alternative solution (another
// correct design) must pass every task, each as many times as opts asks, so a test that only
// catches a race when the scheduler is kind shows up as a refusal rate below 100 %.
func devCheckVariants(ctx context.Context, opts DevOptions, l *course.Lab) (ps, coverage []string) {
	c := opts.Course
	add := func(format string, a ...any) { ps = append(ps, fmt.Sprintf(format, a...)) }
	vs, vps := c.Variants(l)
	for _, p := range vps {
		ps = append(ps, p.Error())
	}
	if len(vps) > 0 {
		return ps, nil
	}
	count := max(opts.Count, 1)
	raceCount := count
	if opts.RaceCount > 0 {
		raceCount = opts.RaceCount
	}

	// The mode's own check graded the solution once; repeat it to catch flaky passes.
	for i := 1; i < count; i++ {
		r, msg := gradeVariant(ctx, opts, l, nil)
		if ctx.Err() != nil || strings.HasPrefix(msg, envPrefix) {
			return append(ps, msg), coverage
		}
		if msg != "" {
			add("%s/solution: %s (run %d of %d)", l.Dir, msg, i+1, count)
			break
		}
		if t := firstNotPassing(r); t != nil {
			add("%s/solution: task %q failed in run %d of %d, after passing: a flaky test (%s)", l.Dir, t.ID, i+1, count, firstLine(t.Message))
			break
		}
	}

	wrongs := map[string][]string{} // task -> variant names
	refusedAll := map[string]int{}
	alts := 0
	for _, v := range vs {
		n := count
		if v.Race && raceCount > n {
			n = raceCount
		}
		if v.Kind == course.VariantAlt {
			alts++
		}
		refused, passedBy := 0, map[string]string{}
		for i := 0; i < n; i++ {
			r, msg := gradeVariant(ctx, opts, l, v)
			if ctx.Err() != nil || strings.HasPrefix(msg, envPrefix) {
				return append(ps, msg), coverage
			}
			if msg != "" {
				add("%s: %s", v.Dir, msg)
				refused = -1
				break
			}
			if v.Kind == course.VariantAlt {
				if t := firstNotPassing(r); t != nil {
					add("%s (%s): task %q refuses this correct design (run %d of %d): %s — the hidden tests are narrower than the lesson's contract", v.Dir, v.Why, t.ID, i+1, n, firstLine(t.Message))
					refused = -1
					break
				}
				continue
			}
			all := true
			for _, id := range v.Tasks {
				if t := taskResult(r, id); t != nil && t.Status == Pass {
					all = false
					passedBy[id] = strings.Join(testNames(t), ", ")
				}
			}
			if all {
				refused++
			}
		}
		if v.Kind == course.VariantAlt || refused < 0 {
			continue
		}
		for _, id := range v.Tasks {
			wrongs[id] = append(wrongs[id], v.Name)
		}
		if refused == n {
			for _, id := range v.Tasks {
				refusedAll[id]++
			}
			continue
		}
		for _, id := range v.Tasks {
			if tests, ok := passedBy[id]; ok {
				what := "the hidden tests miss this bug"
				if refused > 0 {
					what = "a flaky refusal: the tests catch this bug only when the interleaving happens to expose it — force it (barriers, hooks, synctest)"
				}
				add("%s (%s): task %q refused it in %d of %d runs; %s (tests: %s)", v.Dir, v.Why, id, refused, n, what, tests)
			}
		}
	}

	for _, t := range l.Tasks {
		names := wrongs[t.ID]
		line := fmt.Sprintf("task %s: %d wrong variant(s) refused %d/%d", t.ID, len(names), refusedAll[t.ID], len(names))
		if len(names) > 0 {
			line += " (" + strings.Join(names, ", ") + ")"
		}
		coverage = append(coverage, line)
		if opts.RequireVariants && len(names) == 0 {
			add("%s/check/wrong: task %q has no wrong variant: add check/wrong/<name>/ with the reference and one plausible bug this task must refuse", l.Dir, t.ID)
		}
	}
	coverage = append(coverage, fmt.Sprintf("%d alternative solution(s)", alts))
	if count > 1 {
		coverage = append(coverage, fmt.Sprintf("each graded %d time(s)%s", count, map[bool]string{true: fmt.Sprintf(", race variants %d", raceCount), false: ""}[raceCount != count]))
	}
	if opts.RequireVariants && alts < 2 {
		add("%s/check/alt: %d alternative solution(s): add at least two other correct designs a learner might write (check/alt/<name>/)", l.Dir, alts)
	}
	return ps, coverage
}

// gradeVariant grades the solution with v applied (v nil: the solution itself). msg, when
// not empty, says why it could not be graded (prefixed with envPrefix for the machine's fault).
func gradeVariant(ctx context.Context, opts DevOptions, l *course.Lab, v *course.Variant) (*Report, string) {
	c := opts.Course
	dir, cleanup, err := materialize(c, l, "solution")
	if err != nil {
		return nil, fmt.Sprintf("materialize: %v", err)
	}
	defer cleanup()
	if v != nil {
		for _, name := range v.Files {
			data, err := c.ReadFile(l, strings.TrimPrefix(v.Dir, l.Dir+"/"), name)
			if err == nil {
				dst := filepath.Join(dir, filepath.FromSlash(name))
				if err = os.MkdirAll(filepath.Dir(dst), 0o755); err == nil {
					err = os.WriteFile(dst, data, 0o644)
				}
			}
			if err != nil {
				return nil, fmt.Sprintf("write %s: %v", name, err)
			}
		}
		for _, name := range v.Delete {
			if err := os.Remove(filepath.Join(dir, filepath.FromSlash(name))); err != nil {
				return nil, fmt.Sprintf("delete = [%q]: the solution has no such file", name)
			}
		}
	}
	r, err := Run(ctx, Options{Course: c, Lab: l, Dir: dir, Services: opts.Services})
	if err != nil {
		if ctx.Err() != nil {
			return nil, "cancelled"
		}
		return nil, envPrefix + fmt.Sprintf("%s: %v", l.ID, err)
	}
	name := "solution"
	if v != nil {
		name = v.Kind + "/" + v.Name
	}
	devRecord(ctx, name, r)
	if r.Status == Error || r.Status == Timeout {
		return nil, strings.TrimPrefix(authorMessage(l, name, r), l.Dir+"/"+name+": ")
	}
	return r, ""
}

func firstNotPassing(r *Report) *TaskResult {
	for i := range r.Tasks {
		if r.Tasks[i].Status != Pass {
			return &r.Tasks[i]
		}
	}
	return nil
}

func taskResult(r *Report, id string) *TaskResult {
	for i := range r.Tasks {
		if r.Tasks[i].ID == id {
			return &r.Tasks[i]
		}
	}
	return nil
}

func testNames(t *TaskResult) []string {
	var out []string
	for _, tt := range t.Tests {
		out = append(out, tt.Name)
	}
	return out
}
