package sqlfilter

import (
	"fmt"
	"regexp/syntax"
	"strings"
	"unicode"
)

// flavor is the regular-expression engine an expression is written for.
type flavor uint8

const (
	flavorARE  flavor = iota // PostgreSQL's advanced regular expressions
	flavorPCRE               // MariaDB's PCRE2 (and the ICU of MySQL 8)
)

// maxRepeat is the largest count PostgreSQL allows in {m,n}.
const maxRepeat = 255

// emit writes re, parsed with Go's syntax, as an expression that matches
// the same strings on the engine. Every atom is written out explicitly: no
// ., ^ or $ whose meaning differs (PostgreSQL's . matches a newline, PCRE's
// $ matches before a final one), every character outside [0-9A-Za-z] as an
// escape, case-insensitive literals as classes. Constructs without an
// exact counterpart are an error.
func emit(re *syntax.Regexp, fl flavor) (string, error) {
	var b strings.Builder
	if fl == flavorPCRE {
		b.WriteString("(?-imsx)")
	}
	if err := emitNode(&b, re, fl); err != nil {
		return "", err
	}
	return b.String(), nil
}

func emitNode(b *strings.Builder, re *syntax.Regexp, fl flavor) error {
	switch re.Op {
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if re.Flags&syntax.FoldCase != 0 {
				if err := emitClass(b, foldClass(r), fl); err != nil {
					return err
				}
				continue
			}
			if err := emitRune(b, r, fl); err != nil {
				return err
			}
		}
	case syntax.OpCharClass:
		return emitClass(b, re.Rune, fl)
	case syntax.OpAnyCharNotNL:
		return emitClass(b, []rune{0, '\n' - 1, '\n' + 1, unicode.MaxRune}, fl)
	case syntax.OpAnyChar:
		return emitClass(b, []rune{0, unicode.MaxRune}, fl)
	case syntax.OpBeginText:
		if fl == flavorPCRE {
			b.WriteString(`\A`)
		} else {
			b.WriteString(`^`) // PostgreSQL's default mode is not newline-sensitive
		}
	case syntax.OpEndText:
		if fl == flavorPCRE {
			b.WriteString(`\z`)
		} else {
			b.WriteString(`$`)
		}
	case syntax.OpBeginLine, syntax.OpEndLine:
		return fmt.Errorf("multi-line mode (?m)")
	case syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return fmt.Errorf(`word boundary \b or \B`)
	case syntax.OpNoMatch:
		return fmt.Errorf("an expression that matches nothing")
	case syntax.OpEmptyMatch:
		b.WriteString("(?:)")
	case syntax.OpCapture:
		b.WriteString("(?:")
		if err := emitNode(b, re.Sub[0], fl); err != nil {
			return err
		}
		b.WriteString(")")
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		// Laziness does not change whether a string matches.
		b.WriteString("(?:")
		if err := emitNode(b, re.Sub[0], fl); err != nil {
			return err
		}
		b.WriteString(")")
		switch re.Op {
		case syntax.OpStar:
			b.WriteString("*")
		case syntax.OpPlus:
			b.WriteString("+")
		case syntax.OpQuest:
			b.WriteString("?")
		default:
			if re.Min > maxRepeat || re.Max > maxRepeat {
				return fmt.Errorf("repetition count above %d", maxRepeat)
			}
			switch {
			case re.Max < 0:
				fmt.Fprintf(b, "{%d,}", re.Min)
			case re.Max == re.Min:
				fmt.Fprintf(b, "{%d}", re.Min)
			default:
				fmt.Fprintf(b, "{%d,%d}", re.Min, re.Max)
			}
		}
	case syntax.OpConcat:
		for _, s := range re.Sub {
			if err := emitNode(b, s, fl); err != nil {
				return err
			}
		}
	case syntax.OpAlternate:
		b.WriteString("(?:")
		for i, s := range re.Sub {
			if i > 0 {
				b.WriteString("|")
			}
			if err := emitNode(b, s, fl); err != nil {
				return err
			}
		}
		b.WriteString(")")
	default:
		return fmt.Errorf("operator %v", re.Op)
	}
	return nil
}

func isPlain(r rune) bool {
	return (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
}

func emitRune(b *strings.Builder, r rune, fl flavor) error {
	switch {
	case isPlain(r):
		b.WriteRune(r)
	case r == 0 && fl == flavorARE:
		// PostgreSQL text cannot hold NUL, nor can its expressions.
		return fmt.Errorf("a NUL character")
	case fl == flavorARE:
		fmt.Fprintf(b, `\U%08X`, r)
	default:
		fmt.Fprintf(b, `\x{%X}`, r)
	}
	return nil
}

// emitClass writes a class of rune ranges (lo, hi pairs).
func emitClass(b *strings.Builder, ranges []rune, fl flavor) error {
	var out []rune
	for i := 0; i+1 < len(ranges); i += 2 {
		lo, hi := ranges[i], ranges[i+1]
		if fl == flavorARE && lo == 0 {
			lo = 1 // no NUL in PostgreSQL text
		}
		// Surrogates are not characters of valid UTF-8 text, and PCRE
		// refuses them as range ends.
		if lo >= 0xD800 && lo <= 0xDFFF {
			lo = 0xE000
		}
		if hi >= 0xD800 && hi <= 0xDFFF {
			hi = 0xD7FF
		}
		if lo <= hi {
			out = append(out, lo, hi)
		}
	}
	if len(out) == 0 {
		return fmt.Errorf("an empty character class")
	}
	b.WriteString("[")
	for i := 0; i < len(out); i += 2 {
		lo, hi := out[i], out[i+1]
		classRune(b, lo, fl)
		if hi != lo {
			b.WriteString("-")
			classRune(b, hi, fl)
		}
	}
	b.WriteString("]")
	return nil
}

func classRune(b *strings.Builder, r rune, fl flavor) {
	switch {
	case isPlain(r):
		b.WriteRune(r)
	case fl == flavorARE:
		fmt.Fprintf(b, `\U%08X`, r)
	default:
		fmt.Fprintf(b, `\x{%X}`, r)
	}
}

// foldClass is the class of the runes Go's (?i) matches for r: its simple
// case-folding orbit.
func foldClass(r rune) []rune {
	orbit := []rune{r}
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		orbit = append(orbit, f)
	}
	var out []rune
	for _, x := range orbit {
		out = append(out, x, x)
	}
	return out
}
