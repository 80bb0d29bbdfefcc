package classroom

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/learnlab/lab/internal/checker"
	"github.com/learnlab/lab/internal/course"
	"github.com/learnlab/lab/internal/sandbox"
)

// Submission is one learner's workspace.
type Submission struct {
	Name string // the learner, from the folder name
	Dir  string // the workspace: holds one folder per started lab
}

// FindSubmission turns a folder given on the command line into a submission: a workspace
// itself, or a repository holding lab-work/.
func FindSubmission(dir string) (Submission, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Submission{}, err
	}
	st, err := os.Stat(abs)
	if err != nil || !st.IsDir() {
		return Submission{}, fmt.Errorf("submission %s: not a folder", dir)
	}
	ws := abs
	if st, err := os.Stat(filepath.Join(abs, "lab-work")); err == nil && st.IsDir() {
		ws = filepath.Join(abs, "lab-work")
	}
	return Submission{Name: filepath.Base(abs), Dir: ws}, nil
}

// Row is one line of the class summary.
type Row struct {
	Learner string `json:"learner"`
	Lab     string `json:"lab"`
	Task    string `json:"task"`
	Status  string `json:"status"` // pass, fail, error, timeout, not-started
}

// Result is one submission's grade of one lab.
type Result struct {
	Submission Submission
	Lab        *course.Lab
	Report     *checker.Report // nil when the lab was not started or the check could not run
	Err        error           // an environment problem for this check
}

// Options of a class grading run.
type Options struct {
	Course   *course.Course
	Labs     []*course.Lab // labs to grade; a learner who did not start one gets "not-started"
	Parallel int           // checks at once
	Services checker.Acquirer
	Timeout  time.Duration   // per check; 0 = each lab's
	Sandbox  sandbox.Backend // runs each check's tests; nil runs them directly (trusted code only)
	Limits   sandbox.Limits
}

// Grade checks every submission's labs, at most Parallel at once, each check with its own
// service state (the Acquirer isolates them). done is called as each check finishes, from
// several goroutines one at a time. Rows come back sorted by learner, lab and task order.
func Grade(ctx context.Context, subs []Submission, o Options, done func(Result)) ([]Row, error) {
	if o.Parallel < 1 {
		o.Parallel = 1
	}
	type job struct {
		sub Submission
		lab *course.Lab
	}
	jobs := make(chan job)
	var mu sync.Mutex
	var rows []Row
	var firstEnvErr error
	var wg sync.WaitGroup
	for range o.Parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				res := gradeOne(ctx, j.sub, j.lab, o)
				mu.Lock()
				rows = append(rows, rowsOf(res)...)
				if res.Err != nil && firstEnvErr == nil && errors.Is(res.Err, checker.ErrEnvironment) {
					firstEnvErr = res.Err
				}
				if done != nil {
					done(res)
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for _, s := range subs {
		for _, l := range o.Labs {
			select {
			case jobs <- job{s, l}:
			case <-ctx.Done():
				break feed
			}
		}
	}
	close(jobs)
	wg.Wait()
	order := map[string]int{}
	for i, l := range o.Labs {
		for j, t := range l.Tasks {
			order[l.ID+"\x00"+t.ID] = i*1000 + j
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.Learner != b.Learner {
			return a.Learner < b.Learner
		}
		return order[a.Lab+"\x00"+a.Task] < order[b.Lab+"\x00"+b.Task]
	})
	if err := ctx.Err(); err != nil {
		return rows, err
	}
	return rows, firstEnvErr
}

func gradeOne(ctx context.Context, s Submission, l *course.Lab, o Options) Result {
	res := Result{Submission: s, Lab: l}
	dir := filepath.Join(s.Dir, l.ID)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return res
	}
	res.Report, res.Err = checker.Run(ctx, checker.Options{
		Course: o.Course, Lab: l, Dir: dir, Services: o.Services, Timeout: o.Timeout,
		Sandbox: o.Sandbox, Limits: o.Limits,
	})
	return res
}

func rowsOf(res Result) []Row {
	rows := make([]Row, 0, len(res.Lab.Tasks))
	for _, t := range res.Lab.Tasks {
		status := "not-started"
		switch {
		case res.Report != nil:
			status = string(checker.Fail)
			for _, tr := range res.Report.Tasks {
				if tr.ID == t.ID {
					status = string(tr.Status)
				}
			}
		case res.Err != nil:
			status = string(checker.Error)
		}
		rows = append(rows, Row{Learner: res.Submission.Name, Lab: res.Lab.ID, Task: t.ID, Status: status})
	}
	return rows
}
