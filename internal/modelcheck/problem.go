package modelcheck

import (
	"cmp"
	"fmt"
	"slices"
	"unicode/utf8"
)

// Problem is one finding, located by file and 1-based line.
type Problem struct {
	File    string
	Line    int
	Message string
}

// String formats the problem as FILE:LINE: message.
func (p Problem) String() string {
	return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message)
}

// Problems collects findings for one file.
type Problems struct {
	File string
	list []Problem
}

// Add records a finding at line; the message is cut to a readable length.
func (ps *Problems) Add(line int, format string, args ...any) {
	ps.list = append(ps.list, Problem{File: ps.File, Line: line, Message: shorten(fmt.Sprintf(format, args...))})
}

// maxMessage bounds a problem's message: a message quotes the input, and a
// 10 MB line must not become 10 MB of output.
const maxMessage = 300

func shorten(msg string) string {
	if len(msg) <= maxMessage {
		return msg
	}
	cut := maxMessage
	for cut > 0 && !utf8.RuneStart(msg[cut]) {
		cut--
	}
	return msg[:cut] + fmt.Sprintf("… (%d bytes)", len(msg))
}

// Sorted returns the findings by line, keeping the order of findings on
// the same line.
func (ps *Problems) Sorted() []Problem {
	out := slices.Clone(ps.list)
	slices.SortStableFunc(out, func(a, b Problem) int { return cmp.Compare(a.Line, b.Line) })
	return out
}
