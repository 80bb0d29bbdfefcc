//go:build labcheck

package main

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
)

const labWorkflow = ".github/workflows/ci.yml"

type labCI struct {
	src []byte
	wf  *actionlint.Workflow
}

// labLoadWorkflow parses the workflow with actionlint's parser, which knows the positions.
func labLoadWorkflow(t *testing.T) *labCI {
	t.Helper()
	c := &labCI{src: labReadFile(t, labWorkflow, "GitHub Actions runs the workflows of .github/workflows/")}
	wf, errs := actionlint.Parse(c.src)
	if wf == nil {
		t.Fatalf("%s", labLintReport(c.src, errs))
	}
	// Other syntax errors are TestWorkflowPassesActionlint's business: the structure is there.
	c.wf = wf
	return c
}

func labLintReport(src []byte, errs []*actionlint.Error) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: actionlint finds %d problem(s):", labWorkflow, len(errs))
	for i, e := range errs {
		if i == 5 {
			fmt.Fprintf(&b, "\n... and %d more", len(errs)-i)
			break
		}
		fmt.Fprintf(&b, "\n%s:%d:%d: %s [%s]", labWorkflow, e.Line, e.Column, labClip(e.Message, 300), e.Kind)
		if line := labSourceLine(src, e.Line); line != "" {
			fmt.Fprintf(&b, "\n    %s", labClip(line, 120))
		}
	}
	return b.String()
}

func (c *labCI) at(p *actionlint.Pos) string {
	if p == nil {
		return labWorkflow
	}
	return labWhere(labWorkflow, c.src, p.Line)
}

// jobs in a stable order (the file's order).
func (c *labCI) jobs() []*actionlint.Job {
	var out []*actionlint.Job
	for _, j := range c.wf.Jobs {
		out = append(out, j)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Pos.Line < out[b].Pos.Line })
	return out
}

// labStep is where a step runs something the tests look for.
type labStep struct {
	job  *actionlint.Job
	step *actionlint.Step
	idx  int
}

// findRun finds the first step whose run: script runs the words in a row (like go vet).
func (c *labCI) findRun(words ...string) *labStep {
	for _, j := range c.jobs() {
		for i, s := range j.Steps {
			if r, ok := s.Exec.(*actionlint.ExecRun); ok && r.Run != nil && labHasSeq(labWords(r.Run.Value), words...) >= 0 {
				return &labStep{j, s, i}
			}
		}
	}
	return nil
}

// findUses finds the first step that uses an action (owner/name, any version).
func (c *labCI) findUses(action string) *labStep {
	for _, j := range c.jobs() {
		for i, s := range j.Steps {
			if a, ok := s.Exec.(*actionlint.ExecAction); ok && a.Uses != nil {
				name, _, _ := strings.Cut(a.Uses.Value, "@")
				if strings.EqualFold(name, action) {
					return &labStep{j, s, i}
				}
			}
		}
	}
	return nil
}

func TestWorkflowPassesActionlint(t *testing.T) {
	c := labLoadWorkflow(t)
	linter, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{})
	if err != nil {
		t.Fatalf("setting up actionlint: %v", err)
	}
	// "<stdin>": lint these bytes alone, without looking for a repository or a config file.
	errs, err := linter.Lint("<stdin>", c.src, nil)
	if err != nil {
		t.Fatalf("%s: actionlint could not check it: %v", labWorkflow, err)
	}
	if len(errs) > 0 {
		t.Fatalf("%s\nhint: these are mistakes GitHub would only tell you about after a push, or never (a typo in an expression is just an empty string)", labLintReport(c.src, errs))
	}
}

func TestWorkflowRunsOnPushAndPullRequest(t *testing.T) {
	c := labLoadWorkflow(t)
	var hooks []string
	for _, e := range c.wf.On {
		if w, ok := e.(*actionlint.WebhookEvent); ok && w.Hook != nil {
			hooks = append(hooks, w.Hook.Value)
		}
	}
	for _, want := range []string{"push", "pull_request"} {
		if !slices.Contains(hooks, want) {
			line := 1
			if len(c.wf.On) > 0 {
				if w, ok := c.wf.On[0].(*actionlint.WebhookEvent); ok && w.Hook != nil && w.Hook.Pos != nil {
					line = w.Hook.Pos.Line
				}
			}
			t.Fatalf("%s: the workflow runs on %q, want push and pull_request\nhint: pull_request checks a change before it is merged, which is the point; push checks main after it", labWhere(labWorkflow, c.src, line), hooks)
		}
	}
}

func TestWorkflowVetsAndTests(t *testing.T) {
	c := labLoadWorkflow(t)
	checkout, setup := c.findUses("actions/checkout"), c.findUses("actions/setup-go")
	vet, test := c.findRun("go", "vet"), c.findRun("go", "test")
	first := labWorkflow
	if jobs := c.jobs(); len(jobs) > 0 {
		first = c.at(jobs[0].Pos)
	}
	switch {
	case vet == nil:
		t.Fatalf("%s: no step runs go vet, want a step with run: go vet ./...", first)
	case test == nil:
		t.Fatalf("%s: no step runs go test, want a step with run: go test -race ./...", c.at(vet.step.Pos))
	case vet.job != test.job:
		t.Fatalf("%s: go vet and go test run in different jobs; want them in one job (one checkout, one Go setup)", c.at(test.step.Pos))
	case checkout == nil || checkout.job != vet.job || checkout.idx > vet.idx:
		t.Fatalf("%s: job %q runs go vet without actions/checkout before it, so there is no code to vet: want - uses: actions/checkout@v4 as its first step", c.at(vet.job.Pos), vet.job.ID.Value)
	case setup == nil || setup.job != vet.job || setup.idx > vet.idx:
		t.Fatalf("%s: job %q runs go vet without actions/setup-go before it, want - uses: actions/setup-go@v5 with go-version-file: go.mod\nhint: the runner's preinstalled Go is whatever version the image has this month: go-version-file pins the one go.mod asks for", c.at(vet.job.Pos), vet.job.ID.Value)
	}
}

func TestWorkflowBuildsTheImageAfterTheTests(t *testing.T) {
	c := labLoadWorkflow(t)
	test := c.findRun("go", "test")
	build := c.findUses("docker/build-push-action")
	if build == nil {
		build = c.findRun("docker", "build")
	}
	if build == nil {
		build = c.findRun("docker", "buildx", "build")
	}
	switch {
	case build == nil:
		t.Fatalf("%s: no step builds the image, want one that uses docker/build-push-action@v6 (or runs docker build .)", labWorkflow)
	case test == nil:
		t.Fatalf("%s: the image is built, but no step runs go test before it", c.at(build.step.Pos))
	case build.job == test.job && build.idx < test.idx:
		t.Fatalf("%s: the image is built before the tests run (%s), want it after", c.at(build.step.Pos), c.at(test.step.Pos))
	case build.job != test.job:
		for _, n := range build.job.Needs {
			if n.Value == test.job.ID.Value {
				return
			}
		}
		t.Fatalf("%s: job %q builds the image without needs: %s, so it runs at the same time as the tests, even when they fail\nhint: jobs run in parallel unless needs: orders them", c.at(build.job.Pos), build.job.ID.Value, test.job.ID.Value)
	}
}
