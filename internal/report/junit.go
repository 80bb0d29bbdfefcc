package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/learnlab/lab/internal/checker"
)

// JUnit XML, the subset CI systems (GitHub, GitLab, Jenkins) read.
type (
	Suites struct {
		XMLName  xml.Name `xml:"testsuites"`
		Name     string   `xml:"name,attr,omitempty"`
		Tests    int      `xml:"tests,attr"`
		Failures int      `xml:"failures,attr"`
		Errors   int      `xml:"errors,attr"`
		Time     string   `xml:"time,attr"`
		Suites   []Suite  `xml:"testsuite"`
	}
	Suite struct {
		Name      string `xml:"name,attr"`
		Tests     int    `xml:"tests,attr"`
		Failures  int    `xml:"failures,attr"`
		Errors    int    `xml:"errors,attr"`
		Skipped   int    `xml:"skipped,attr"`
		Time      string `xml:"time,attr"`
		SystemErr string `xml:"system-err,omitempty"`
		Cases     []Case `xml:"testcase"`
	}
	Case struct {
		Name      string   `xml:"name,attr"`
		Classname string   `xml:"classname,attr"`
		Time      string   `xml:"time,attr"`
		Failure   *Problem `xml:"failure,omitempty"`
		Error     *Problem `xml:"error,omitempty"`
		SystemOut string   `xml:"system-out,omitempty"`
	}
	Problem struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	}
)

// ToSuite converts a Report to one testsuite: a testcase per hidden test, classname
// "<lab>.<task>", failure for fail, error for error and timeout.
func ToSuite(r *checker.Report) Suite {
	s := Suite{Name: r.Lab, Time: seconds(r.Duration.Seconds())}
	if r.Status == checker.Error || r.Status == checker.Timeout {
		s.SystemErr = r.Message
	}
	for _, t := range r.Tasks {
		for _, tt := range t.Tests {
			c := Case{Name: tt.Name, Classname: r.Lab + "." + t.ID, Time: seconds(tt.Elapsed.Seconds()), SystemOut: tt.Output}
			msg := tt.Message
			first, _, _ := strings.Cut(msg, "\n")
			switch tt.Status {
			case checker.Pass:
			case checker.Fail:
				c.Failure = &Problem{Message: first, Type: "fail", Text: msg}
				s.Failures++
			default:
				c.Error = &Problem{Message: first, Type: string(tt.Status), Text: msg}
				s.Errors++
			}
			s.Cases = append(s.Cases, c)
			s.Tests++
		}
	}
	return s
}

// JUnit writes reports (one testsuite each) as a JUnit XML document.
func JUnit(w io.Writer, reports ...*checker.Report) error {
	doc := Suites{Name: "lab"}
	total := 0.0
	for _, r := range reports {
		s := ToSuite(r)
		doc.Suites = append(doc.Suites, s)
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
		total += r.Duration.Seconds()
	}
	doc.Time = seconds(total)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func seconds(s float64) string { return fmt.Sprintf("%.3f", s) }
