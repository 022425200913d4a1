package enforcer

import (
	"strings"
	"time"

	"github.com/casbin/casbin/v2/util"
)

// This file reads a Casbin matcher (already escaped by Casbin: r.sub is
// r_sub) into a small tree of the forms the fast path understands. Anything
// else makes parse fail, and the caller falls back to govaluate, which is
// what Casbin itself evaluates matchers with.

type tokKind uint8

const (
	tokIdent tokKind = iota
	tokString
	tokLParen
	tokRParen
	tokComma
	tokAnd
	tokOr
	tokNot
	tokEq
	tokNe
)

type token struct {
	kind tokKind
	text string
}

// lex splits a matcher into tokens. ok is false for anything outside the
// subset: numbers, other operators, escapes in strings, attribute access.
func lex(s string) (toks []token, ok bool) {
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(':
			toks = append(toks, token{kind: tokLParen})
			i++
		case c == ')':
			toks = append(toks, token{kind: tokRParen})
			i++
		case c == ',':
			toks = append(toks, token{kind: tokComma})
			i++
		case strings.HasPrefix(s[i:], "&&"):
			toks = append(toks, token{kind: tokAnd})
			i += 2
		case strings.HasPrefix(s[i:], "||"):
			toks = append(toks, token{kind: tokOr})
			i += 2
		case strings.HasPrefix(s[i:], "=="):
			toks = append(toks, token{kind: tokEq})
			i += 2
		case strings.HasPrefix(s[i:], "!="):
			toks = append(toks, token{kind: tokNe})
			i += 2
		case c == '!':
			toks = append(toks, token{kind: tokNot})
			i++
		case c == '"' || c == '\'':
			j := strings.IndexByte(s[i+1:], c)
			if j < 0 {
				return nil, false
			}
			lit := s[i+1 : i+1+j]
			if strings.ContainsRune(lit, '\\') || looksLikeTime(lit) {
				// govaluate turns such a literal into a time.Time; only
				// govaluate can compare it the way Casbin does.
				return nil, false
			}
			toks = append(toks, token{kind: tokString, text: lit})
			i += j + 2
		case isIdentStart(c):
			j := i + 1
			for j < len(s) && isIdentPart(s[j]) {
				j++
			}
			if j < len(s) && s[j] == '.' { // attribute access: govaluate's job
				return nil, false
			}
			toks = append(toks, token{kind: tokIdent, text: s[i:j]})
			i = j
		default:
			return nil, false
		}
	}
	return toks, true
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentPart(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') }

// node is a parsed matcher term.
type node struct {
	op   tokKind // tokAnd, tokOr, tokNot, tokEq, tokNe, or tokIdent for a call
	kids []*node
	// For a call: the function name and its operand arguments.
	fn   string
	args []operand
	// For tokEq and tokNe: the two operands.
	l, r operand
}

type operandKind uint8

const (
	opReq operandKind = iota // a request field r_x
	opPol                    // a policy field p_x
	opLit                    // a string literal
)

type operand struct {
	kind operandKind
	idx  int
	lit  string
}

type parser struct {
	toks   []token
	pos    int
	rIdx   map[string]int
	pIdx   map[string]int
	roleFn map[string]bool
}

func (p *parser) peek() (token, bool) {
	if p.pos < len(p.toks) {
		return p.toks[p.pos], true
	}
	return token{}, false
}

func (p *parser) next(k tokKind) bool {
	if t, ok := p.peek(); ok && t.kind == k {
		p.pos++
		return true
	}
	return false
}

// parseMatcher parses a whole matcher; ok is false if any part is outside
// the compiled subset.
func parseMatcher(expr string, rIdx, pIdx map[string]int, roleFns map[string]bool) (*node, bool) {
	toks, ok := lex(expr)
	if !ok || len(toks) == 0 {
		return nil, false
	}
	p := &parser{toks: toks, rIdx: rIdx, pIdx: pIdx, roleFn: roleFns}
	n, ok := p.or()
	if !ok || p.pos != len(p.toks) {
		return nil, false
	}
	return n, true
}

func (p *parser) or() (*node, bool) {
	n, ok := p.and()
	if !ok {
		return nil, false
	}
	for p.next(tokOr) {
		r, ok := p.and()
		if !ok {
			return nil, false
		}
		n = &node{op: tokOr, kids: []*node{n, r}}
	}
	return n, true
}

func (p *parser) and() (*node, bool) {
	n, ok := p.unary()
	if !ok {
		return nil, false
	}
	for p.next(tokAnd) {
		r, ok := p.unary()
		if !ok {
			return nil, false
		}
		n = &node{op: tokAnd, kids: []*node{n, r}}
	}
	return n, true
}

func (p *parser) unary() (*node, bool) {
	if p.next(tokNot) {
		// govaluate binds ! to the next operand, so !r.sub == p.sub means
		// (!r.sub) == p.sub (an error in Casbin). Only !(…) and !f(…) mean
		// what they seem; anything else goes to govaluate.
		t, ok := p.peek()
		if !ok || (t.kind != tokLParen && t.kind != tokNot &&
			!(t.kind == tokIdent && p.pos+1 < len(p.toks) && p.toks[p.pos+1].kind == tokLParen)) {
			return nil, false
		}
		n, ok := p.unary()
		if !ok {
			return nil, false
		}
		return &node{op: tokNot, kids: []*node{n}}, true
	}
	return p.primary()
}

func (p *parser) primary() (*node, bool) {
	if p.next(tokLParen) {
		n, ok := p.or()
		if !ok || !p.next(tokRParen) {
			return nil, false
		}
		return n, true
	}
	t, ok := p.peek()
	if !ok {
		return nil, false
	}
	// A call: name(args).
	if t.kind == tokIdent && p.pos+1 < len(p.toks) && p.toks[p.pos+1].kind == tokLParen {
		p.pos += 2
		var args []operand
		for !p.next(tokRParen) {
			if len(args) > 0 && !p.next(tokComma) {
				return nil, false
			}
			a, ok := p.operand()
			if !ok {
				return nil, false
			}
			args = append(args, a)
		}
		if !p.roleFn[t.text] && boolFuncs[t.text] == nil {
			return nil, false
		}
		if p.roleFn[t.text] && len(args) != 2 && len(args) != 3 {
			return nil, false
		}
		if !p.roleFn[t.text] && len(args) != 2 {
			return nil, false
		}
		return &node{op: tokIdent, fn: t.text, args: args}, true
	}
	// A comparison: operand (==|!=) operand.
	l, ok := p.operand()
	if !ok {
		return nil, false
	}
	op, ok := p.peek()
	if !ok || (op.kind != tokEq && op.kind != tokNe) {
		return nil, false
	}
	p.pos++
	r, ok := p.operand()
	if !ok {
		return nil, false
	}
	return &node{op: op.kind, l: l, r: r}, true
}

func (p *parser) operand() (operand, bool) {
	t, ok := p.peek()
	if !ok {
		return operand{}, false
	}
	p.pos++
	switch t.kind {
	case tokString:
		return operand{kind: opLit, lit: t.text}, true
	case tokIdent:
		if i, ok := p.rIdx[t.text]; ok {
			return operand{kind: opReq, idx: i}, true
		}
		if i, ok := p.pIdx[t.text]; ok {
			return operand{kind: opPol, idx: i}, true
		}
	}
	return operand{}, false
}

// boolFuncs are Casbin's string matching functions: Casbin's own, or (see
// match.go) the same expressions compiled once.
var boolFuncs = map[string]func(a, b string) (bool, error){
	"keyMatch":   plain(util.KeyMatch),
	"keyMatch2":  keyMatch2,
	"keyMatch3":  keyMatch3,
	"keyMatch4":  keyMatch4,
	"keyMatch5":  keyMatch5,
	"regexMatch": regexMatch,
	"ipMatch":    plain(util.IPMatch),
	"globMatch":  util.GlobMatch,
}

func plain(f func(a, b string) bool) func(a, b string) (bool, error) {
	return func(a, b string) (bool, error) { return f(a, b), nil }
}

// conjuncts splits a matcher at its top-level && operators. It returns the
// whole matcher alone when an operator that binds looser than && (||, ?:,
// ??) appears at the top level, since splitting would then change meaning.
func conjuncts(expr string) []string {
	var parts []string
	depth, start := 0, 0
	var quote byte
	for i := 0; i < len(expr); i++ {
		c := expr[i]
		if quote != 0 {
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
			continue
		}
		switch c {
		case '"', '\'':
			quote = c
		case '(', '[':
			depth++
		case ')', ']':
			depth--
		case '?', ':':
			if depth == 0 {
				return []string{expr}
			}
		case '|':
			if depth == 0 && i+1 < len(expr) && expr[i+1] == '|' {
				return []string{expr}
			}
		case '&':
			if depth == 0 && i+1 < len(expr) && expr[i+1] == '&' {
				parts = append(parts, strings.TrimSpace(expr[start:i]))
				start = i + 2
				i++
			}
		}
	}
	return append(parts, strings.TrimSpace(expr[start:]))
}

// timeFormats are the layouts govaluate tries on every string literal
// (parsing.go, tryParseTime); a literal that parses is a time, not a string.
var timeFormats = []string{
	time.ANSIC, time.UnixDate, time.RubyDate, time.Kitchen, time.RFC3339, time.RFC3339Nano,
	"2006-01-02", "2006-01-02 15:04", "2006-01-02 15:04:05", "2006-01-02 15:04:05-07:00",
	"2006-01-02T15Z0700", "2006-01-02T15:04Z0700", "2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05.999999999Z0700",
}

func looksLikeTime(lit string) bool {
	for _, f := range timeFormats {
		if _, err := time.ParseInLocation(f, lit, time.Local); err == nil {
			return true
		}
	}
	return false
}
