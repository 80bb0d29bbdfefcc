package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"time"

	"github.com/spf13/cobra"

	"github.com/learnlab/lab/internal/checker"
	"github.com/learnlab/lab/internal/classroom"
	"github.com/learnlab/lab/internal/course"
	"github.com/learnlab/lab/internal/report"
	"github.com/learnlab/lab/internal/services"
)

type gradeOptions struct {
	labs     []string
	out      string
	shard    string
	parallel int
	timeout  string
	sandbox  sandboxFlags
}

func newGradeCmd(a *app) *cobra.Command {
	o := gradeOptions{out: "results", parallel: max(1, runtime.NumCPU()/2)}
	cmd := &cobra.Command{
		Use:   "grade DIR...",
		Short: "Grade many learners' workspaces (for instructors)",
		Long: `Grades each submission folder (a learner's workspace, or a repository holding lab-work/)
with the hidden tests, a bounded number of checks at once, each with its own service state.
Writes OUT/summary.csv (learner,lab,task,status), OUT/summary.json and OUT/junit/<learner>.xml.
--shard i/n grades only the submissions of shard i: run one command per shard on separate
machines (see docs/classroom.md).`,
		Example: `  lab grade submissions/* --lab 1 --lab 5
  lab grade submissions/* --shard 3/8 --out results-3`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runGrade(cmd, a, args, o)
		},
	}
	cmd.Flags().StringSliceVar(&o.labs, "lab", nil, "grade only these labs (repeatable; default: every lab of the course)")
	cmd.Flags().StringVar(&o.out, "out", o.out, "folder for the summary and JUnit files")
	cmd.Flags().StringVar(&o.shard, "shard", "", "grade only shard i of n, as i/n")
	cmd.Flags().IntVar(&o.parallel, "parallel", o.parallel, "checks to run at once")
	cmd.Flags().StringVar(&o.timeout, "timeout", "", "per-check time limit (default: each lab's)")
	o.sandbox.add(cmd, "always on unless --no-sandbox")
	return cmd
}

func runGrade(cmd *cobra.Command, a *app, dirs []string, o gradeOptions) error {
	c, err := a.course()
	if err != nil {
		return err
	}
	shard, err := classroom.ParseShard(o.shard)
	if err != nil {
		return usageErr(err)
	}
	labs := c.Labs
	if len(o.labs) > 0 {
		labs = nil
		for _, name := range o.labs {
			l, err := a.lab(c, name)
			if err != nil {
				return err
			}
			labs = append(labs, l)
		}
	}
	var timeout time.Duration
	if o.timeout != "" {
		if timeout, err = time.ParseDuration(o.timeout); err != nil {
			return usageErr(fmt.Errorf("--timeout %q: %v", o.timeout, err))
		}
	}
	// Each submission's tests run in a sandbox of their own: its folder read-only, no sibling,
	// no --out, its own services, limits, and nothing left running when its check ends.
	backend, err := o.sandbox.backend(cmd.Context(), true)
	if err != nil {
		return err
	}
	if w := sharedRedisWarning(labs, o.parallel, backend != nil, labServices().Mode()); w != "" {
		fmt.Fprintln(a.errOut, w)
	}
	var subs []classroom.Submission
	seen := map[string]string{}
	for _, d := range dirs {
		s, err := classroom.FindSubmission(d)
		if err != nil {
			return usageErr(err)
		}
		if other, dup := seen[s.Name]; dup {
			return usageErr(fmt.Errorf("two submissions are named %q (%s and %s): rename one", s.Name, other, d))
		}
		seen[s.Name] = d
		if shard.Has(s.Name) {
			subs = append(subs, s)
		}
	}
	sort.Slice(subs, func(i, j int) bool { return subs[i].Name < subs[j].Name })
	fmt.Fprintf(a.errOut, "Grading %d submission(s) × %d lab(s) (shard %d/%d), %d at a time\n", len(subs), len(labs), shard.I, shard.N, o.parallel)

	junitDir := filepath.Join(o.out, "junit")
	if err := os.MkdirAll(junitDir, 0o755); err != nil {
		return err
	}
	reports := map[string][]*checker.Report{}
	rows, err := classroom.Grade(cmd.Context(), subs, classroom.Options{
		Course: c, Labs: labs, Parallel: o.parallel, Services: a.services(), Timeout: timeout, Sandbox: backend,
	}, func(r classroom.Result) {
		status := "not started"
		switch {
		case r.Err != nil:
			status = "could not run: " + r.Err.Error()
		case r.Report != nil:
			status = fmt.Sprintf("%d/%d tasks", r.Report.Passed(), len(r.Report.Tasks))
			reports[r.Submission.Name] = append(reports[r.Submission.Name], r.Report)
		}
		fmt.Fprintf(a.errOut, "  %-20s %-22s %s\n", r.Submission.Name, r.Lab.ID, status)
	})
	if werr := writeGradeResults(o.out, shard, rows, reports, subs); werr != nil {
		return werr
	}
	if err != nil {
		if errors.Is(err, checker.ErrEnvironment) {
			return envErr(err)
		}
		return err
	}
	fmt.Fprintf(a.out, "Wrote %s and %s\n", filepath.Join(o.out, "summary.csv"), filepath.Join(o.out, "summary.json"))
	return nil
}

func writeGradeResults(out string, shard classroom.Shard, rows []classroom.Row, reports map[string][]*checker.Report, subs []classroom.Submission) error {
	write := func(name string, fn func(f *os.File) error) error {
		return writeFileWith(filepath.Join(out, name), fn)
	}
	if err := write("summary.csv", func(f *os.File) error { return classroom.WriteCSV(f, rows) }); err != nil {
		return err
	}
	if err := write("summary.json", func(f *os.File) error { return classroom.WriteJSON(f, shard, rows) }); err != nil {
		return err
	}
	for _, s := range subs {
		rs := reports[s.Name]
		sort.Slice(rs, func(i, j int) bool { return rs[i].Lab < rs[j].Lab })
		if err := write(filepath.Join("junit", s.Name+".xml"), func(f *os.File) error { return report.JUnit(f, rs...) }); err != nil {
			return err
		}
	}
	return nil
}

// sharedRedisWarning says when the submissions' checks would share one Redis server that lab
// cannot divide between them (LAB_REDIS_URL, docs/classroom.md "External servers"): each gets a
// database number, which keeps honest checks apart but not code that runs SELECT or FLUSHALL.
// mode is the services mode in effect (services.Manager.Mode).
func sharedRedisWarning(labs []*course.Lab, parallel int, sandboxed bool, mode string) string {
	if !sandboxed || parallel < 2 || os.Getenv("LAB_REDIS_URL") == "" || (mode != services.ModeAuto && mode != services.ModeExternal) {
		return ""
	}
	for _, l := range labs {
		if slices.Contains(l.Services, "redis") {
			return "Warning: LAB_REDIS_URL is one Redis server for every submission graded at once. Each check gets a database number of its own, " +
				"which keeps honest submissions apart, but code that runs SELECT or FLUSHALL reaches the others (docs/classroom.md, \"External servers\"). " +
				"For submissions nobody has read, unset LAB_REDIS_URL so that lab runs a server per check, or grade with --parallel 1."
		}
	}
	return ""
}
