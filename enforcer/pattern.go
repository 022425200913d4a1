package enforcer

import (
	"slices"
	"strings"
)

// Pattern fields on the index. A top-level conjunct fn(r.X, p.F), with fn
// one of Casbin's pattern functions, is a condition every matching rule
// meets, and each of those functions can only match keys that begin with a
// literal prefix of the pattern: keyMatch("tenant1/east", "tenant1/*")
// needs the key to begin with "tenant1/". So rules are indexed by that
// prefix (or by the whole pattern when it matches only itself), and a
// decision looks up the request value's prefixes of the lengths the policy
// holds instead of evaluating every rule of the caller's roles. The
// function still decides on each candidate; the index only leaves out
// rules that cannot match.

// patternPlan is a conjunct fn(r.X, p.F) the index uses.
type patternPlan struct {
	fn     string
	rField int
	pField int
}

// Markers after the index key's other fields: a pattern that matches only
// itself is stored under exactMark + pattern, any other under
// prefixMark + its literal prefix.
const (
	exactMark  = 1
	prefixMark = 2
)

// literalPrefix returns, for a pattern of function fn, a prefix that every
// key fn matches begins with, and whether the pattern matches only the key
// equal to it. ok is false for a function the index does not know. The
// prefix may be shorter than the longest one possible (it stops at the
// first byte it is not sure of); it is never longer, which
// TestLiteralPrefixHolds checks against the functions themselves.
func literalPrefix(fn, pattern string) (lit string, exact, ok bool) {
	switch fn {
	case "keyMatch":
		// util.KeyMatch: a "*" ends the part compared; bytes before it
		// must be equal.
		if i := strings.IndexByte(pattern, '*'); i >= 0 {
			return pattern[:i], false, true
		}
		return pattern, true, true
	case "keyMatch2", "keyMatch3", "keyMatch4":
		// "^" + pattern + "$" once "/*" is ".*" and the parameters
		// (":id", "{id}") are "[^/]+".
		lit, exact := regexPrefix(pattern, fn == "keyMatch2", true)
		return lit, exact, true
	case "keyMatch5":
		// keyMatch3 of the key without its query string: the key still
		// begins with the prefix, but "/a" also matches "/a?x".
		lit, _ := regexPrefix(pattern, false, true)
		return lit, false, true
	case "regexMatch":
		// Unanchored unless the pattern begins with "^".
		if !strings.HasPrefix(pattern, "^") {
			return "", false, true
		}
		lit, exact := regexPrefix(pattern[1:], false, false)
		return lit, exact, true
	case "globMatch":
		lit, exact := globPrefix(pattern)
		return lit, exact, true
	}
	return "", false, false
}

// safeLiteral reports whether b stands for itself in every function the
// index knows: printable ASCII that no regular expression, glob or key
// pattern treats specially.
func safeLiteral(b byte) bool {
	if b < 0x20 || b >= 0x7f {
		return false
	}
	return !strings.ContainsRune(`\.+*?()|[]{}^$:`, rune(b))
}

// regexPrefix is the literal prefix of an anchored regular expression
// built from pattern (keyMatch2..4 wrap it in "^…$"; regexMatch's own "^"
// is already cut): the bytes up to the first one that is not a plain
// literal, less the byte before a quantifier. keyMatch's "/*" keeps its
// "/". colonParam is keyMatch2's ":id" parameter; the other key functions
// (keyFunc without colonParam) have "{id}" ones. exact means the whole expression is a literal, up to "$" for
// regexMatch (anchored) or the end for the key functions.
func regexPrefix(pattern string, colonParam, keyFunc bool) (lit string, exact bool) {
	if strings.ContainsRune(pattern, '|') {
		// "^a|b$" is "^a" or "b$": nothing is certain.
		return "", false
	}
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		if c == ':' && !colonParam {
			continue // a literal ":" outside keyMatch2
		}
		if safeLiteral(c) {
			continue
		}
		switch {
		case keyFunc && c == '*' && i > 0 && pattern[i-1] == '/':
			return pattern[:i], false // "/*" is "/.*"
		case c == '{' && keyFunc && !colonParam:
			// keyMatch3..5 read every "{…}" as a parameter before the
			// expression is compiled: no quantifier.
		case c == '*' || c == '+' || c == '?' || c == '{':
			// A quantifier (or what may be one) applies to the byte
			// before it, which is ASCII here.
			if i == 0 {
				return "", false
			}
			return pattern[:i-1], false
		case !keyFunc && c == '$' && i == len(pattern)-1:
			return pattern[:i], true
		}
		return pattern[:i], false
	}
	if keyFunc {
		return pattern, true
	}
	// An unanchored end: "^abc" matches "abcd".
	return pattern, false
}

// globPrefix is the literal prefix of a doublestar pattern: the bytes
// before the first special one (* ? [ { \ or a byte outside printable
// ASCII, which doublestar compares as runes), less a "/" before "*"
// (doublestar's "a/**" matches "a").
func globPrefix(pattern string) (lit string, exact bool) {
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		if c < 0x20 || c >= 0x7f || strings.IndexByte(`*?[{\`, c) >= 0 {
			if c == '*' && i > 0 && pattern[i-1] == '/' {
				return pattern[:i-1], false
			}
			return pattern[:i], false
		}
	}
	return pattern, true
}

// patternFuncs are the functions a pattern conjunct may call.
var patternFuncs = map[string]bool{
	"keyMatch": true, "keyMatch2": true, "keyMatch3": true, "keyMatch4": true, "keyMatch5": true,
	"regexMatch": true, "globMatch": true,
}

// appendPatternKey appends the index suffix of a rule's pattern value.
func appendPatternKey(buf []byte, fn, pattern string) []byte {
	lit, exact, _ := literalPrefix(fn, pattern)
	if exact {
		return append(append(buf, exactMark), lit...)
	}
	return append(append(buf, prefixMark), lit...)
}

// lenSet counts the rules stored under each prefix length, so that a
// decision looks up only the lengths the policy holds.
type lenSet struct {
	count map[int]int
	lens  []int // sorted; the keys of count
}

func (s *lenSet) add(n int) {
	if s.count == nil {
		s.count = map[int]int{}
	}
	if s.count[n]++; s.count[n] == 1 {
		i, _ := slices.BinarySearch(s.lens, n)
		// A new slice: a Rules snapshot never shares it, and the write
		// lock is held, but appending in place is no cheaper here.
		s.lens = slices.Insert(slices.Clone(s.lens), i, n)
	}
}

func (s *lenSet) remove(n int) {
	if s.count[n]--; s.count[n] <= 0 {
		delete(s.count, n)
		if i, ok := slices.BinarySearch(s.lens, n); ok {
			s.lens = slices.Delete(slices.Clone(s.lens), i, i+1)
		}
	}
}

// patternLen is the length of a rule's prefix in the lenSet, or -1 when
// its pattern matches only itself (looked up whole, not by length).
func (p *patternPlan) patternLen(vals []string) int {
	lit, exact, _ := literalPrefix(p.fn, vals[p.pField])
	if exact {
		return -1
	}
	return len(lit)
}

// patternCands appends to ev.cands the rules stored under base (the index
// key of the other fields) whose pattern can match the request's key.
func (ev *evalCtx) patternCands(base []byte) {
	ix, pat := ev.ix, ev.cm.pat
	key := ev.rs[pat.rField]
	n := len(base)
	buf := append(append(base, exactMark), key...)
	ev.cands = append(ev.cands, ix.byKey[string(buf)]...)
	for _, l := range ix.patLens.lens {
		if l > len(key) {
			break
		}
		buf = append(append(buf[:n], prefixMark), key[:l]...)
		ev.cands = append(ev.cands, ix.byKey[string(buf)]...)
	}
	ev.buf = buf
}
