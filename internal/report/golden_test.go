package report

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/learnlab/lab/internal/checker"
	"github.com/learnlab/lab/internal/theme"
)

// lab05Failure is what `lab check 5` reported on a real attempt at lab 05: long messages with
// JSON in them, the lines that used to break mid-word at 80 columns.
func lab05Failure() *checker.Report {
	test := func(name, msg, out string) []checker.TestResult {
		return []checker.TestResult{{Name: name, Status: checker.Fail, Message: msg, Output: out}, {Name: name + "Again", Status: checker.Fail}}
	}
	return &checker.Report{Lab: "05-caching", Title: "Product catalog over a slow database", Status: checker.Fail,
		Notes: []string{"your go.mod has a replace directive for github.com/redis/go-redis/v9; the check uses the course's version instead"},
		Tasks: []checker.TaskResult{
			{ID: "cache-aside", Title: "Read through Redis", Status: checker.Fail, HintCount: 3, Tests: test("TestCacheAsideSecondReadSkipsStore",
				"GET /products/1 a second time called the store again (2 calls in all, want 1): after a miss, write the JSON to Redis under product:1, and read Redis before the store (Redis keys now: none)", "")},
			{ID: "invalidation", Title: "Never serve a stale product", Status: checker.Fail, HintCount: 3, Tests: test("TestInvalidationDropsOrRefreshesKey",
				`after PUT /products/1 {"name":"Split keyboard","price_cents":15900}, Redis key product:1 still holds the old {"id":"1","name":"Mechanical keyboard","price_cents":8900}: every reader gets stale data until the TTL runs out. Delete the key (DEL product:1) once the store write succeeded`, "")},
			{ID: "stampede", Title: "One store call for fifty cold reads", Status: checker.Timeout, WasPassing: true, HintCount: 3, Tests: test("TestStampedeFiftyColdReadsOneStoreCall",
				"50 concurrent GET /products/1 on an empty cache made 50 store calls, want 1:\n  - concurrent misses of the same key must share one load (for example singleflight.Group.Do keyed by the id)\n  - a mutex around the whole handler serialises every request, also hits",
				`2026/01/02 15:04:05 listening on :8080 with REDIS_URL=redis://localhost:6379/0 and the store delay set to 300ms`+"\n"+`{"level":"info","msg":"GET /products/1","status":200,"duration_ms":301,"cache":"miss"}`)},
			{ID: "http-caching", Title: "ETag, Cache-Control and 304", Status: checker.Pass},
			{ID: "sessions", Title: "Sessions with a sliding TTL", Status: checker.Fail, HintCount: 3, Tests: test("TestSessionLoginCreatesSession",
				`POST /login {"username":"ada","password":"lovelace"}: got status 501 {"error": "login is not implemented yet"}, want 200 {"username": "ada"}`, "")},
		}}
}

// TestTextGolden pins the check report at 80 and 120 columns, plain and in colour. Run with
// -update to rewrite testdata/text-*.txt after a deliberate change, and read the diff.
func TestTextGolden(t *testing.T) {
	dark := theme.New(true).TextStyles()
	for _, width := range []int{80, 120} {
		for _, color := range []bool{false, true} {
			name := fmt.Sprintf("text-%d-plain.txt", width)
			opts := TextOptions{Width: width, HintsShown: map[string]int{"sessions": 3}, Topic: "Caching"}
			if color {
				name = fmt.Sprintf("text-%d-color.txt", width)
				opts.Styles = &dark
			}
			t.Run(name, func(t *testing.T) {
				var buf bytes.Buffer
				if err := Text(&buf, lab05Failure(), opts); err != nil {
					t.Fatal(err)
				}
				got := buf.String()
				checkWrapped(t, got, width, color)
				golden := filepath.Join("testdata", name)
				if *update {
					os.WriteFile(golden, []byte(got), 0o644)
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run with -update to create it)", err)
				}
				if got != string(want) {
					t.Errorf("report differs from %s (run with -update and read the diff):\n%s", golden, got)
				}
			})
		}
	}
}

// checkWrapped asserts what the golden files show a reader: no line wider than the terminal,
// no colour codes unless asked, and each JSON value of the messages on one line.
func checkWrapped(t *testing.T, out string, width int, color bool) {
	t.Helper()
	if !color && strings.Contains(out, "\x1b[") {
		t.Error("plain report has escape codes")
	}
	if color && !strings.Contains(out, "\x1b[") {
		t.Error("coloured report has no escape codes")
	}
	plain := ansi.Strip(out)
	for _, l := range strings.Split(plain, "\n") {
		if w := ansi.StringWidth(l); w > width {
			t.Errorf("line of %d columns at width %d: %q", w, width, l)
		}
	}
	for _, v := range []string{`{"error": "login is not implemented yet"}`, `{"username": "ada"}`} {
		if !strings.Contains(plain, v) {
			t.Errorf("%s was split across lines", v)
		}
	}
	for _, bad := range []string{"\n1):", "{\"err\n", "singleflig\n"} {
		if strings.Contains(plain, bad) {
			t.Errorf("broken mid-word: %q", bad)
		}
	}
}
