package matchexpr

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/casbin/casbin/v2/util"
)

// CasbinText returns a [matchers] value as Casbin's model loader leaves it
// for govaluate (model.go, loadAssertion): the r. and p. of field names
// after a space, a parenthesis, a comma or an operator become r_ and p_; a
// # ends the text; every backslash inside a string literal is doubled, so
// that govaluate's unescaping gives it back; and when the text contains
// "in" anywhere, square brackets become parentheses. A model.Model holds
// its matchers in this form already.
//
// source maps a byte offset of text to the offset of the byte of raw it
// came from, so that a finding can be reported where it was written.
func CasbinText(raw string) (text string, source func(off int) int) {
	escaped := util.EscapeAssertion(raw) // same length: "r." becomes "r_"
	lead := 0
	if pos := strings.IndexByte(escaped, '#'); pos >= 0 {
		kept := escaped[:pos]
		lead = len(kept) - len(strings.TrimLeftFunc(kept, unicode.IsSpace))
		escaped = strings.TrimSpace(kept)
	}
	// util.EscapeStringLiterals, keeping where each byte came from. It
	// walks bytes and writes each as a rune, so a byte of a multi-byte
	// character becomes a character of its own (é turns into Ã©): Casbin's
	// loader does that to every matcher, and govaluate sees the result.
	text = util.EscapeStringLiterals(escaped)
	from := make([]int, 0, len(text)+1)
	in, quote := false, byte(0)
	for i := 0; i < len(escaped); i++ {
		c := escaped[i]
		for range utf8.RuneLen(rune(c)) {
			from = append(from, lead+i)
		}
		switch {
		case in && c == '\\':
			from = append(from, lead+i)
		case in && c == quote:
			in = false
		case !in && (c == '\'' || c == '"'):
			in, quote = true, c
		}
	}
	from = append(from, lead+len(escaped))
	if strings.Contains(text, "in") {
		text = strings.NewReplacer("[", "(", "]", ")").Replace(text)
	}
	return text, func(off int) int {
		if off < 0 {
			return 0
		}
		if off >= len(from) {
			return lead + len(escaped)
		}
		return from[off]
	}
}
