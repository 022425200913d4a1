package csvpolicy

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
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

// FuzzParseAsCasbin checks that every line Parse accepts holds the values
// Casbin's own file adapter reads from it (it trims the line, then splits
// it with encoding/csv, TrimLeadingSpace on): a policy file means the same
// rules to Warden and to Casbin. "p, alice , /x" is subject "alice " to
// both; the enforcer then refuses it.
func FuzzParseAsCasbin(f *testing.F) {
	for _, s := range []string{
		"p, alice , /x, GET, allow", "p,alice,/x", "  p,  alice,\t/x  ", `p, " alice", "/x ", GET`,
		"g, carol , admin\u00a0", "p, a,, b", `p,  "x, y" , z`, "p, zoë\u2003, /x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		if strings.ContainsAny(line, "\n") || strings.HasPrefix(line, "\ufeff") {
			return // one physical line; Casbin keeps a byte order mark, Warden drops it
		}
		lines, err := Parse("fuzz.csv", strings.NewReader(line))
		if err != nil || len(lines) == 0 {
			return
		}
		m := model.NewModel()
		ptype := lines[0].PType
		n := len(lines[0].Values)
		tokens := make([]string, n)
		for i := range tokens {
			tokens[i] = fmt.Sprintf("f%d", i)
		}
		if n == 0 {
			return
		}
		sec := ptype[:1]
		if !m.AddDef(sec, ptype, strings.Join(tokens, ", ")) {
			t.Skip()
		}
		if err := persist.LoadPolicyLine(strings.TrimSpace(line), m); err != nil {
			t.Fatalf("line %q: Warden reads %q, Casbin fails: %v", line, lines[0].Values, err)
		}
		got := m[sec][ptype].Policy
		if len(got) != 1 || !slices.Equal(got[0], lines[0].Values) {
			t.Fatalf("line %q: Warden reads %q, Casbin %q", line, lines[0].Values, got)
		}
	})
}
