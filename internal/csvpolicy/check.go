package csvpolicy

import (
	"fmt"
	"sort"
	"strings"

	"github.com/casbin/casbin/v2/model"
)

// Check reports the first line of lines that the model cannot hold: a
// ptype the model does not define, or a rule with the wrong number of
// fields for its ptype. file is used in the error.
func Check(file string, lines []Line, m model.Model) error {
	for _, l := range lines {
		if err := checkLine(file, l, m); err != nil {
			return err
		}
	}
	return nil
}

func checkLine(file string, l Line, m model.Model) error {
	sec := l.PType[:1]
	ast, ok := m[sec][l.PType]
	if !ok {
		return &ParseError{File: file, Line: l.Num, Field: "ptype", Err: ErrUnknownPType,
			Detail: fmt.Sprintf("%q is not defined by the model (defined: %s)", l.PType, strings.Join(PTypes(m), ", "))}
	}
	lo, hi := FieldRange(ast)
	if got := len(l.Values); got < lo || got > hi {
		want := fmt.Sprint(lo)
		if hi != lo {
			want = fmt.Sprintf("%d to %d", lo, hi)
		}
		return &ParseError{File: file, Line: l.Num, Err: ErrFieldCount,
			Detail: fmt.Sprintf("ptype %s expects %s fields (%s), got %d", l.PType, want, fieldNames(ast), got)}
	}
	return nil
}

// FieldRange returns how many values a rule of the assertion's ptype may
// have. A p rule needs exactly one value per token: Casbin v2 rejects any
// other count when loading (the eft column cannot be left out). A g rule
// needs one per _, the parameters of a conditional role definition such
// as `g = _, _, (_, _)` included: Casbin refuses a conditional link with
// fewer ("grouping policy elements do not meet role definition"). Casbin
// itself tolerates extra g values, but they would silently become a
// domain, so they are refused.
func FieldRange(ast *model.Assertion) (lo, hi int) {
	n := len(ast.Tokens)
	if strings.HasPrefix(ast.Key, "g") {
		return n + len(ast.ParamsTokens), n + len(ast.ParamsTokens)
	}
	return n, n
}

// PTypes returns the ptypes a model defines, p types first, each sorted.
func PTypes(m model.Model) []string {
	var out []string
	for _, sec := range []string{"p", "g"} {
		keys := make([]string, 0, len(m[sec]))
		for k := range m[sec] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out = append(out, keys...)
	}
	return out
}

func fieldNames(ast *model.Assertion) string {
	if strings.HasPrefix(ast.Key, "g") {
		return strings.TrimSpace(ast.Value)
	}
	names := make([]string, len(ast.Tokens))
	for i, t := range ast.Tokens {
		names[i] = strings.TrimPrefix(t, ast.Key+"_")
	}
	return strings.Join(names, ", ")
}
