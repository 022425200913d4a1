package csvfile

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse checks that Parse never panics, fails only with a *ParseError
// matching a sentinel, and that whatever it accepts survives Write and a
// second Parse unchanged.
func FuzzParse(f *testing.F) {
	f.Add([]byte("p, alice, /posts, GET\ng, alice, editor\n"))
	f.Add([]byte("\xef\xbb\xbf# c\r\np, \"a, b\", \" x \", \"q\"\"\"\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// The quote-free fast path must split exactly as encoding/csv does.
		if line := string(bytes.TrimRight(bytes.SplitN(data, []byte("\n"), 2)[0], " \t\r")); utf8.ValidString(line) &&
			!strings.ContainsAny(line, "\"\r") && line != "" {
			fast := splitPlain(line)
			slow, detail := splitCSV(line)
			if slow == nil || !slices.Equal(fast, slow) {
				t.Fatalf("line %q: splitPlain %q, splitCSV %q (%s)", line, fast, slow, detail)
			}
		}
		lines, err := Parse("fuzz.csv", bytes.NewReader(data))
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T %v is not a *ParseError", err, err)
			}
			if !errors.Is(err, ErrSyntax) && !errors.Is(err, ErrBinary) && !errors.Is(err, ErrLineTooLong) && !errors.Is(err, ErrUnknownPType) {
				t.Fatalf("error %v matches no sentinel", err)
			}
			return
		}
		var buf bytes.Buffer
		if err := Write(&buf, lines); err != nil {
			t.Fatalf("Write of accepted lines: %v", err)
		}
		again, err := Parse("fuzz.csv", bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("Parse of written lines %q: %v", buf.Bytes(), err)
		}
		if len(again) != len(lines) {
			t.Fatalf("round trip: %d lines, want %d", len(again), len(lines))
		}
		for i := range lines {
			if again[i].PType != lines[i].PType || !slices.Equal(again[i].Values, lines[i].Values) {
				t.Fatalf("round trip line %d: got %q %q, want %q %q", i, again[i].PType, again[i].Values, lines[i].PType, lines[i].Values)
			}
		}
	})
}
