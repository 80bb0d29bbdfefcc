package checker

import (
	"time"
)

// Status is the grade of a test, a task or a whole check.
type Status string

const (
	Pass    Status = "pass"
	Fail    Status = "fail"
	Error   Status = "error"   // did not compile, or the run broke before grading
	Timeout Status = "timeout" // the deadline stopped the run
)

// Report is the result of one check. The checker never prints: renderers in package report
// (text, JSON, JUnit) and the TUI present it.
type Report struct {
	Lab      string        `json:"lab"`   // "05-caching"
	Title    string        `json:"title"` // the lab's title
	Status   Status        `json:"status"`
	Message  string        `json:"message,omitempty"` // for error/timeout: what went wrong, readable
	Build    string        `json:"build,omitempty"`   // compiler output when Status is error
	Notes    []string      `json:"notes,omitempty"`   // things the check ignored, like a go.mod replace
	Tasks    []TaskResult  `json:"tasks"`
	Duration time.Duration `json:"duration"`
}

// TaskResult is one lab.toml task's grade: pass only when every test it lists passed.
type TaskResult struct {
	ID         string       `json:"id"`
	Title      string       `json:"title"`
	Status     Status       `json:"status"`
	Message    string       `json:"message,omitempty"` // the first failing test's message
	WasPassing bool         `json:"was_passing,omitempty"`
	HintCount  int          `json:"hint_count,omitempty"` // hints lab.toml gives for the task
	Tests      []TestResult `json:"tests"`
}

// TestResult is one hidden test, graded from test2json events only.
type TestResult struct {
	Name      string        `json:"name"`
	TaskID    string        `json:"task_id"`
	Status    Status        `json:"status"`
	Message   string        `json:"message,omitempty"` // what the test reported (t.Error lines)
	Output    string        `json:"output,omitempty"`  // everything else the run printed (the learner's output)
	Elapsed   time.Duration `json:"elapsed"`
	Truncated bool          `json:"truncated,omitempty"` // output was capped
}

// Passed counts the passing tasks.
func (r *Report) Passed() int {
	n := 0
	for _, t := range r.Tasks {
		if t.Status == Pass {
			n++
		}
	}
	return n
}

// Event is streamed while a check runs, for progress displays.
type Event struct {
	Kind   EventKind
	Test   string // for TestStarted/TestDone
	TaskID string // for TestDone/TaskDone
	Status Status // for TestDone/TaskDone
	// Detail says what the phase is doing, in words a learner understands: "Redis and
	// PostgreSQL" (Services), "building dependencies (github.com/redis/go-redis/v9)" or
	// "compiling your code" (Building), "the build lab start began" (Waiting).
	Detail string
	// ColdCache is set on the first Building event of a check that compiles a dependency (the
	// build cache is cold), so a renderer can say once why this build is slow.
	ColdCache bool
}

// Failed lists the tasks that did not pass, in lab order.
func (r *Report) Failed() []TaskResult {
	var out []TaskResult
	for _, t := range r.Tasks {
		if t.Status != Pass {
			out = append(out, t)
		}
	}
	return out
}

type EventKind int

const (
	Building    EventKind = iota // compiling the learner's code with the hidden tests
	Running                      // the test binary started
	TestStarted                  // a hidden test began
	TestDone                     // a hidden test finished
	TaskDone                     // every test of a task has finished
	Services                     // starting or claiming the lab's services (Detail names them)
	Waiting                      // waiting for the build `lab start` began in the background
)

// String names the phase for logs and tests.
func (k EventKind) String() string {
	switch k {
	case Building:
		return "building"
	case Running:
		return "running"
	case TestStarted:
		return "test-started"
	case TestDone:
		return "test-done"
	case TaskDone:
		return "task-done"
	case Services:
		return "services"
	case Waiting:
		return "waiting"
	}
	return "unknown"
}
