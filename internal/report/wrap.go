package report

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// wrapLine breaks one line of plain text into lines of at most width columns: the first starts
// with first, the others with hang (a hanging indent), and breaks fall between words only. A
// JSON or Go value ({...}, [...], "...") is kept on one line when it fits, so `{"error": "not
// found"}` is never split at its space. A word longer than a whole line is cut, since it must
// be. width <= 0 means no wrapping.
func wrapLine(text, first, hang string, width int) []string {
	if width <= 0 {
		return []string{first + text}
	}
	avail := func(prefix string) int { return max(width-ansi.StringWidth(prefix), 10) }
	var out []string
	prefix := first
	cur, curW := "", 0
	flush := func() {
		out = append(out, prefix+cur)
		prefix, cur, curW = hang, "", 0
	}
	for _, u := range units(text, avail(hang)) {
		w := ansi.StringWidth(u)
		switch {
		case curW == 0:
		case curW+1+w <= avail(prefix):
			cur += " "
			curW++
		default:
			flush()
		}
		for curW == 0 && w > avail(prefix) {
			// Too long for any line: cut it where the line ends.
			head := ansi.Truncate(u, avail(prefix), "")
			cur = head
			u = u[len(head):]
			w = ansi.StringWidth(u)
			flush()
		}
		cur += u
		curW += w
	}
	if cur != "" || len(out) == 0 {
		out = append(out, prefix+cur)
	}
	return out
}

// units splits text at spaces into the pieces wrapLine may not break, joining the words of a
// bracketed or quoted value while the joined value still fits in limit columns.
func units(text string, limit int) []string {
	words := strings.Fields(text)
	var out []string
	for i := 0; i < len(words); i++ {
		if end := valueEnd(words, i); end > i {
			joined := strings.Join(words[i:end+1], " ")
			if ansi.StringWidth(joined) <= limit {
				out = append(out, joined)
				i = end
				continue
			}
		}
		out = append(out, words[i])
	}
	return out
}

// valueEnd returns the index of the word that closes a value opened by words[i] ({, [ or a
// quote left open), or i when words[i] opens none or the value does not close.
func valueEnd(words []string, i int) int {
	depth, inStr := 0, false
	for j := i; j < len(words); j++ {
		w := words[j]
		for k := 0; k < len(w); k++ {
			switch c := w[k]; {
			case inStr && c == '\\':
				k++
			case c == '"':
				inStr = !inStr
			case inStr:
			case c == '{' || c == '[':
				depth++
			case c == '}' || c == ']':
				depth--
			}
		}
		if j == i && depth <= 0 && !inStr {
			return i // opens nothing, or a value complete within the word
		}
		if depth <= 0 && !inStr {
			return j
		}
	}
	return i
}
