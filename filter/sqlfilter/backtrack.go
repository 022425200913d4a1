package sqlfilter

import (
	"regexp/syntax"
	"slices"
	"unicode"
)

// backtrackFree reports whether a backtracking engine (MariaDB's PCRE)
// matches re in time linear in the subject, so that its match limit
// cannot be reached on a value the decision accepts (at most 4096 bytes).
// It accepts an expression anchored at the start of the text whose
// repetitions each repeat one character, and are followed by the end of
// the text or by a literal that the repeated character cannot be: such a
// repetition can end in only one place, so a failure never goes back to
// try another length for the repetitions before it. No alternation. An
// expression not anchored at the start is tried at every position: it may
// repeat only at its very end, where the longest run never has to give
// way, so each attempt ends in one step.
// Casbin's keyMatch2 and keyMatch3 patterns with parameters (/posts/:id,
// [^/]+ followed by /) are accepted; /a/*/b/* (.* followed by /) is not.
func backtrackFree(re *syntax.Regexp) bool {
	seq := flattenConcat(re, nil)
	if len(seq) == 0 {
		return false
	}
	anchored := seq[0].Op == syntax.OpBeginText
	for i, n := range seq {
		switch n.Op {
		case syntax.OpLiteral, syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL,
			syntax.OpBeginText, syntax.OpEndText, syntax.OpEmptyMatch:
		case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
			in, ok := oneChar(n.Sub[0])
			if !ok {
				return false
			}
			if i+1 == len(seq) {
				break // nothing after it to fail: the longest run matches
			}
			if !anchored {
				return false
			}
			next := seq[i+1]
			switch next.Op {
			case syntax.OpEndText:
			case syntax.OpLiteral:
				first := next.Rune[0]
				if slices.ContainsFunc(foldOrbit(first, next.Flags&syntax.FoldCase != 0), in) {
					return false
				}
			default:
				return false
			}
		default:
			return false
		}
	}
	return true
}

// flattenConcat lists the nodes of re's top-level concatenation, looking
// through groups.
func flattenConcat(re *syntax.Regexp, out []*syntax.Regexp) []*syntax.Regexp {
	switch re.Op {
	case syntax.OpCapture:
		return flattenConcat(re.Sub[0], out)
	case syntax.OpConcat:
		for _, s := range re.Sub {
			out = flattenConcat(s, out)
		}
		return out
	}
	return append(out, re)
}

// oneChar returns the set of characters re matches when re matches
// exactly one character.
func oneChar(re *syntax.Regexp) (func(rune) bool, bool) {
	for re.Op == syntax.OpCapture {
		re = re.Sub[0]
	}
	switch re.Op {
	case syntax.OpAnyChar:
		return func(rune) bool { return true }, true
	case syntax.OpAnyCharNotNL:
		return func(r rune) bool { return r != '\n' }, true
	case syntax.OpLiteral:
		if len(re.Rune) != 1 {
			return nil, false
		}
		orbit := foldOrbit(re.Rune[0], re.Flags&syntax.FoldCase != 0)
		return func(r rune) bool { return slices.Contains(orbit, r) }, true
	case syntax.OpCharClass:
		ranges := re.Rune
		return func(r rune) bool {
			for i := 0; i+1 < len(ranges); i += 2 {
				if ranges[i] <= r && r <= ranges[i+1] {
					return true
				}
			}
			return false
		}, true
	}
	return nil, false
}

// foldOrbit is r, and with fold the runes Go's (?i) matches for it.
func foldOrbit(r rune, fold bool) []rune {
	out := []rune{r}
	if fold {
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			out = append(out, f)
		}
	}
	return out
}
