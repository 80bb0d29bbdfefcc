package classroom

import (
	"fmt"
	"strings"
)

// Workflow is the GitHub Actions workflow `lab ci init` writes into a learner's repository. It
// follows the GitHub Classroom autograding convention (a command grader step whose result the
// reporter publishes), keeps the JUnit file as an artifact, and uses Docker on the runner for
// Redis and PostgreSQL. With a CourseSource it first fetches the instructor's course at the
// commit the learner started from and points LAB_COURSE at it.
func Workflow(o WorkflowOptions) string {
	install := o.Install
	if install == "" {
		install = Install(o.LabVersion)
	}
	env, fetch := "", ""
	if o.CourseSource != "" {
		env = "\n    env:\n      LAB_COURSE: ${{ github.workspace }}/.lab-course"
		ref := ""
		if o.CourseRef != "" {
			ref = "\n          git -C .lab-course checkout --quiet " + shellQuote(o.CourseRef)
		}
		fetch = "\n      - name: Fetch the course\n        run: |\n          git clone --quiet " + shellQuote(o.CourseSource) + " .lab-course" + ref
	}
	return strings.NewReplacer("@INSTALL@", install, "@ENV@", env, "@FETCH@", fetch).Replace(workflowTemplate)
}

// WorkflowOptions says what the learner's workflow installs and grades with.
type WorkflowOptions struct {
	Install      string // the shell command that installs lab ("" : Install(LabVersion))
	LabVersion   string // the lab release to install ("" : latest)
	CourseSource string // git URL of a custom course ("" : the built-in one)
	CourseRef    string // the commit or tag of the course to grade with
}

// DefaultInstall installs the newest lab on the runner.
var DefaultInstall = Install("")

// Install is the command that installs lab at version v (a release like v0.4.0; "" is latest):
// a course that pins its lab release is graded the same way all term.
func Install(v string) string {
	if v == "" {
		v = "latest"
	}
	return "go install github.com/learnlab/lab/cmd/lab@" + v
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./_-") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
}

const workflowTemplate = `# Written by ` + "`lab ci init`" + `: grades every lab you started, on every push.
name: lab autograding

on:
  push:
  workflow_dispatch:

permissions:
  checks: write
  actions: read
  contents: read

jobs:
  grade:
    runs-on: ubuntu-latest
    timeout-minutes: 30@ENV@
    steps:
      - uses: actions/checkout@v4@FETCH@
      - uses: actions/setup-go@v5
        with:
          go-version: "1.26"
      - name: Install lab
        run: @INSTALL@
      - name: Grade every started lab
        id: lab
        uses: classroom-resources/autograding-command-grader@v1
        with:
          test-name: lab
          command: lab check --all --junit lab-results.xml
          timeout: 25
          max-score: 100
      - name: Publish the grade
        uses: classroom-resources/autograding-grading-reporter@v1
        env:
          LAB_RESULTS: "${{ steps.lab.outputs.result }}"
        with:
          runners: lab
      - name: Keep the detailed results
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: lab-results
          path: lab-results.xml
          if-no-files-found: ignore
`

// ShardMatrix is the instructor's workflow that grades a class in n shards on a GitHub Actions
// matrix; docs/classroom.md shows it.
func ShardMatrix(n int, labVersion string) string {
	shards := make([]string, n)
	for i := range shards {
		shards[i] = fmt.Sprint(i + 1)
	}
	return strings.NewReplacer("@SHARDS@", strings.Join(shards, ", "), "@N@", fmt.Sprint(n), "@INSTALL@", Install(labVersion)).Replace(matrixTemplate)
}

const matrixTemplate = `name: grade the class

on:
  workflow_dispatch:

permissions:
  contents: read

jobs:
  grade:
    runs-on: ubuntu-latest
    timeout-minutes: 60
    strategy:
      fail-fast: false
      matrix:
        shard: [@SHARDS@]
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-go@v5
        with:
          go-version: "1.26"
      - name: Install lab
        run: @INSTALL@
      - name: Fetch the submissions
        run: ./fetch-submissions.sh submissions
      - name: Grade shard ${{ matrix.shard }} of @N@
        run: lab grade submissions/* --shard ${{ matrix.shard }}/@N@ --out results
      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: results-${{ matrix.shard }}
          path: results
`
