package classroom

import (
	"fmt"
	"strings"
)

// Workflow is the GitHub Actions workflow `lab ci init` writes into a learner's repository. It
// follows the GitHub Classroom autograding convention (a command grader step whose result the
// reporter publishes), keeps the JUnit file as an artifact, and uses Docker on the runner for
// Redis and PostgreSQL.
func Workflow(install string) string {
	return strings.ReplaceAll(workflowTemplate, "@INSTALL@", install)
}

// DefaultInstall installs the lab binary on the runner.
const DefaultInstall = "go install github.com/learnlab/lab/cmd/lab@latest"

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
    timeout-minutes: 30
    steps:
      - uses: actions/checkout@v4
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
func ShardMatrix(n int) string {
	shards := make([]string, n)
	for i := range shards {
		shards[i] = fmt.Sprint(i + 1)
	}
	return strings.NewReplacer("@SHARDS@", strings.Join(shards, ", "), "@N@", fmt.Sprint(n)).Replace(matrixTemplate)
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
        run: go install github.com/learnlab/lab/cmd/lab@latest
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
