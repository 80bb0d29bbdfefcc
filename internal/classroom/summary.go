package classroom

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"strings"
)

// WriteCSV writes the summary as learner,lab,task,status rows under a header: what a
// spreadsheet or a gradebook import reads.
func WriteCSV(w io.Writer, rows []Row) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"learner", "lab", "task", "status"})
	for _, r := range rows {
		cw.Write([]string{safeCell(r.Learner), safeCell(r.Lab), safeCell(r.Task), safeCell(r.Status)})
	}
	cw.Flush()
	return cw.Error()
}

// safeCell keeps a spreadsheet from reading a cell as a formula: learner names are folder
// names anyone can choose ("=HYPERLINK(...)", "@SUM(...)"). As OWASP's CSV injection advice
// says, a cell that starts with = + - @, a tab or a carriage return gets a leading single quote,
// which spreadsheets show as text and do not display.
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// Summary is the JSON form: the rows, plus per learner the tasks passed out of those graded.
type Summary struct {
	Shard    string            `json:"shard"`
	Learners map[string]Totals `json:"learners"`
	Rows     []Row             `json:"rows"`
}

// Totals is one learner's score.
type Totals struct {
	Passed int `json:"passed"`
	Total  int `json:"total"`
}

// WriteJSON writes the summary as JSON.
func WriteJSON(w io.Writer, shard Shard, rows []Row) error {
	s := Summary{Shard: formatShard(shard), Learners: map[string]Totals{}, Rows: rows}
	if s.Rows == nil {
		s.Rows = []Row{}
	}
	for _, r := range rows {
		t := s.Learners[r.Learner]
		t.Total++
		if r.Status == "pass" {
			t.Passed++
		}
		s.Learners[r.Learner] = t
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}

func formatShard(s Shard) string {
	if s.N == 0 {
		s = Shard{1, 1}
	}
	return itoa(s.I) + "/" + itoa(s.N)
}

func itoa(i int) string { return strconv.Itoa(i) }
