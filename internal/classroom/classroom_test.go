package classroom

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
)

func TestShardIsAStablePartition(t *testing.T) {
	var names []string
	for i := range 500 {
		names = append(names, fmt.Sprintf("learner-%03d", i))
	}
	const n = 7
	counts := make([]int, n+1)
	for _, name := range names {
		owners := 0
		for i := 1; i <= n; i++ {
			if (Shard{i, n}).Has(name) {
				owners++
				counts[i]++
			}
		}
		if owners != 1 {
			t.Fatalf("%s is in %d shards, want exactly 1", name, owners)
		}
	}
	for i := 1; i <= n; i++ {
		if counts[i] < 500/n/2 {
			t.Errorf("shard %d/%d has %d of 500 submissions: the split is lopsided", i, n, counts[i])
		}
	}
	// Stable across releases: a learner must not move between shards when lab is upgraded
	// mid-course (their previous results live in that shard's artifacts).
	for i := 1; i <= n; i++ {
		if (Shard{i, n}).Has("alice") && i != aliceShard {
			t.Errorf("alice moved to shard %d/%d, was %d/%d", i, n, aliceShard, n)
		}
	}
}

const aliceShard = 7

func TestParseShard(t *testing.T) {
	for in, want := range map[string]Shard{"": {1, 1}, "1/1": {1, 1}, "3/8": {3, 8}} {
		got, err := ParseShard(in)
		if err != nil || got != want {
			t.Errorf("ParseShard(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"0/3", "4/3", "3", "a/b", "1/0", "-1/2"} {
		if _, err := ParseShard(in); err == nil {
			t.Errorf("ParseShard(%q) succeeded", in)
		}
	}
}

func lint(t *testing.T, name, src string) {
	t.Helper()
	l, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	errs, err := l.Lint(name, []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range errs {
		t.Errorf("%s:%d:%d: %s [%s]", name, e.Line, e.Column, e.Message, e.Kind)
	}
}

func TestWorkflowsPassActionlint(t *testing.T) {
	lint(t, ".github/workflows/lab.yml", Workflow(WorkflowOptions{}))
	custom := Workflow(WorkflowOptions{LabVersion: "v0.4.0", CourseSource: "https://github.com/prof/ws-course", CourseRef: "0123abcd"})
	lint(t, ".github/workflows/lab.yml", custom)
	lint(t, ".github/workflows/grade.yml", ShardMatrix(4, "v0.4.0"))
	if !strings.Contains(Workflow(WorkflowOptions{}), "lab check --all --junit") {
		t.Error("the workflow does not grade every lab")
	}
	for _, want := range []string{
		"lab/cmd/lab@v0.4.0",
		"git clone --quiet https://github.com/prof/ws-course .lab-course",
		"git -C .lab-course checkout --quiet 0123abcd",
		"LAB_COURSE: ${{ github.workspace }}/.lab-course",
	} {
		if !strings.Contains(custom, want) {
			t.Errorf("the custom course workflow lacks %q:\n%s", want, custom)
		}
	}
}
