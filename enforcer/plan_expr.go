package enforcer

import (
	"fmt"
	"strings"
)

// This file reads a matcher for the planner. Its grammar is the compiled
// subset of matcher.go plus what a plan can translate (attribute access on
// request fields, the in operator); anything else is refused with the
// construct named, because a plan must never guess.

type pTokKind uint8

const (
	ptIdent pTokKind = iota
	ptString
	ptLParen
	ptRParen
	ptComma
	ptAnd
	ptOr
	ptNot
	ptEq
	ptNe
	ptIn
)

type pToken struct {
	kind pTokKind
	text string
}

// planLex splits a matcher (already escaped by Casbin: r.sub is r_sub,
// r.obj.Owner is r_obj.Owner) into tokens.
func planLex(s string) ([]pToken, error) {
	var toks []pToken
	for i := 0; i < len(s); {
		c := s[i]
		two := ""
		if i+1 < len(s) {
			two = s[i : i+2]
		}
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(':
			toks = append(toks, pToken{kind: ptLParen})
			i++
		case c == ')':
			toks = append(toks, pToken{kind: ptRParen})
			i++
		case c == ',':
			toks = append(toks, pToken{kind: ptComma})
			i++
		case two == "&&":
			toks = append(toks, pToken{kind: ptAnd})
			i += 2
		case two == "||":
			toks = append(toks, pToken{kind: ptOr})
			i += 2
		case two == "==":
			toks = append(toks, pToken{kind: ptEq})
			i += 2
		case two == "!=":
			toks = append(toks, pToken{kind: ptNe})
			i += 2
		case c == '!' && two != "!~":
			toks = append(toks, pToken{kind: ptNot})
			i++
		case c == '"' || c == '\'':
			j := strings.IndexByte(s[i+1:], c)
			if j < 0 {
				return nil, fmt.Errorf("unterminated string literal")
			}
			lit := s[i+1 : i+1+j]
			if strings.ContainsRune(lit, '\\') {
				return nil, fmt.Errorf("string literal with an escape %q", lit)
			}
			if looksLikeTime(lit) {
				// govaluate turns it into a time.Time, not a string.
				return nil, fmt.Errorf("time literal %q", lit)
			}
			toks = append(toks, pToken{kind: ptString, text: lit})
			i += j + 2
		case isIdentStart(c):
			j := i + 1
			for j < len(s) && (isIdentPart(s[j]) || s[j] == '.') {
				j++
			}
			word := s[i:j]
			if word == "in" {
				toks = append(toks, pToken{kind: ptIn})
			} else {
				toks = append(toks, pToken{kind: ptIdent, text: word})
			}
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < len(s) && (isIdentPart(s[j]) || s[j] == '.') {
				j++
			}
			return nil, fmt.Errorf("number %s", s[i:j])
		default:
			j := i + 1
			for j < len(s) && strings.IndexByte("<>=~+-*/%?:&|^", s[j]) >= 0 {
				j++
			}
			return nil, fmt.Errorf("operator %s", s[i:j])
		}
	}
	return toks, nil
}

type pNodeKind uint8

const (
	pnOr pNodeKind = iota
	pnAnd
	pnNot
	pnEq
	pnNe
	pnIn
	pnCall
)

// pNode is a term of the matcher. For pnEq and pnNe args holds the two
// sides, for pnIn the left side then the list, for pnCall the arguments.
type pNode struct {
	kind pNodeKind
	kids []*pNode
	fn   string
	args []pVal
	text string // the source, for messages
}

type pValKind uint8

const (
	pvReq pValKind = iota // a request field, or an attribute of one
	pvPol                 // a policy field
	pvLit                 // a string literal
)

type pVal struct {
	kind pValKind
	idx  int
	attr string // for pvReq: the attribute path ("Owner"), or ""
	lit  string
	name string // as written, for messages
}

type planParser struct {
	toks []pToken
	pos  int
	cm   *compiledModel
}

func parsePlanMatcher(cm *compiledModel) (*pNode, error) {
	toks, err := planLex(cm.matcher)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return nil, fmt.Errorf("empty matcher")
	}
	p := &planParser{toks: toks, cm: cm}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.pos != len(p.toks) {
		return nil, fmt.Errorf("unexpected %s", p.describe())
	}
	return n, nil
}

func (p *planParser) peek() (pToken, bool) {
	if p.pos < len(p.toks) {
		return p.toks[p.pos], true
	}
	return pToken{}, false
}

func (p *planParser) next(k pTokKind) bool {
	if t, ok := p.peek(); ok && t.kind == k {
		p.pos++
		return true
	}
	return false
}

func (p *planParser) describe() string {
	t, ok := p.peek()
	if !ok {
		return "end of matcher"
	}
	switch t.kind {
	case ptIdent:
		return t.text
	case ptString:
		return fmt.Sprintf("%q", t.text)
	}
	return [...]string{"", "", "(", ")", ",", "&&", "||", "!", "==", "!=", "in"}[t.kind]
}

func (p *planParser) or() (*pNode, error) {
	n, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.next(ptOr) {
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		n = &pNode{kind: pnOr, kids: []*pNode{n, r}}
	}
	return n, nil
}

func (p *planParser) and() (*pNode, error) {
	n, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.next(ptAnd) {
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		n = &pNode{kind: pnAnd, kids: []*pNode{n, r}}
	}
	return n, nil
}

func (p *planParser) unary() (*pNode, error) {
	if p.next(ptNot) {
		// govaluate binds ! to the next operand: only !(…), !! and !f(…)
		// mean what they seem.
		t, ok := p.peek()
		if !ok || (t.kind != ptLParen && t.kind != ptNot &&
			!(t.kind == ptIdent && p.pos+1 < len(p.toks) && p.toks[p.pos+1].kind == ptLParen)) {
			return nil, fmt.Errorf("! before %s (govaluate applies it to the operand alone)", p.describe())
		}
		n, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &pNode{kind: pnNot, kids: []*pNode{n}}, nil
	}
	return p.primary()
}

func (p *planParser) primary() (*pNode, error) {
	t, ok := p.peek()
	if !ok {
		return nil, fmt.Errorf("unexpected end of matcher")
	}
	if t.kind == ptLParen {
		p.pos++
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		if !p.next(ptRParen) {
			return nil, fmt.Errorf("expected ) at %s", p.describe())
		}
		return p.comparisonAfter(n)
	}
	if t.kind == ptIdent && p.pos+1 < len(p.toks) && p.toks[p.pos+1].kind == ptLParen {
		return p.call()
	}
	l, err := p.operand()
	if err != nil {
		return nil, err
	}
	op, ok := p.peek()
	switch {
	case ok && (op.kind == ptEq || op.kind == ptNe):
		p.pos++
		r, err := p.operand()
		if err != nil {
			return nil, err
		}
		kind := pnEq
		if op.kind == ptNe {
			kind = pnNe
		}
		return &pNode{kind: kind, args: []pVal{l, r}}, nil
	case ok && op.kind == ptIn:
		p.pos++
		if !p.next(ptLParen) {
			return nil, fmt.Errorf("in without a literal list")
		}
		args := []pVal{l}
		for !p.next(ptRParen) {
			if len(args) > 1 && !p.next(ptComma) {
				return nil, fmt.Errorf("expected , or ) in the list of in, got %s", p.describe())
			}
			v, err := p.operand()
			if err != nil {
				return nil, err
			}
			args = append(args, v)
		}
		if len(args) < 3 {
			// govaluate reads ('a') as a string, not a list.
			return nil, fmt.Errorf("in with fewer than two values")
		}
		return &pNode{kind: pnIn, args: args}, nil
	}
	return nil, fmt.Errorf("%s used as a condition (not compared with == or !=)", l.name)
}

// comparisonAfter refuses (a && b) == c and the like, which compare
// booleans.
func (p *planParser) comparisonAfter(n *pNode) (*pNode, error) {
	if t, ok := p.peek(); ok && (t.kind == ptEq || t.kind == ptNe || t.kind == ptIn) {
		return nil, fmt.Errorf("comparison of a parenthesised condition")
	}
	return n, nil
}

func (p *planParser) call() (*pNode, error) {
	name := p.toks[p.pos].text
	p.pos += 2
	var args []pVal
	for !p.next(ptRParen) {
		if len(args) > 0 && !p.next(ptComma) {
			return nil, fmt.Errorf("expected , or ) in the arguments of %s, got %s", name, p.describe())
		}
		if t, ok := p.peek(); ok && t.kind == ptIdent && p.pos+1 < len(p.toks) && p.toks[p.pos+1].kind == ptLParen {
			return nil, fmt.Errorf("nested call %s(…) in the arguments of %s", t.text, name)
		}
		v, err := p.operand()
		if err != nil {
			return nil, err
		}
		args = append(args, v)
	}
	_, role := p.cm.gIdx[name]
	switch {
	case role && (len(args) == 2 || len(args) == 3):
	case role:
		return nil, fmt.Errorf("%s with %d arguments", name, len(args))
	case name == "eval":
		return nil, fmt.Errorf("eval()")
	case planFuncs[name] != nil:
		if len(args) != 2 {
			return nil, fmt.Errorf("%s with %d arguments", name, len(args))
		}
	default:
		return nil, fmt.Errorf("function %s", name)
	}
	if t, ok := p.peek(); ok && (t.kind == ptEq || t.kind == ptNe || t.kind == ptIn) {
		return nil, fmt.Errorf("comparison of the result of %s", name)
	}
	names := make([]string, len(args))
	for i, a := range args {
		names[i] = a.name
	}
	return &pNode{kind: pnCall, fn: name, args: args, text: name + "(" + strings.Join(names, ", ") + ")"}, nil
}

// planFuncs are the matching functions a plan may call: Casbin's, which it
// evaluates on known values; custom functions are refused. Which of them
// may test the open field is matchCond's business.
var planFuncs = boolFuncs

func (p *planParser) operand() (pVal, error) {
	t, ok := p.peek()
	if !ok {
		return pVal{}, fmt.Errorf("unexpected end of matcher")
	}
	p.pos++
	switch t.kind {
	case ptString:
		return pVal{kind: pvLit, lit: t.text, name: fmt.Sprintf("%q", t.text)}, nil
	case ptIdent:
		base, attr, _ := strings.Cut(t.text, ".")
		name := strings.Replace(base, "_", ".", 1)
		if attr != "" {
			name += "." + attr
		}
		if i, ok := p.cm.rIdx[base]; ok {
			return pVal{kind: pvReq, idx: i, attr: attr, name: name}, nil
		}
		if i, ok := p.cm.pIdx[base]; ok {
			if attr != "" {
				return pVal{}, fmt.Errorf("attribute %s of a policy field", name)
			}
			return pVal{kind: pvPol, idx: i, name: name}, nil
		}
		if t.text == "true" || t.text == "false" {
			return pVal{}, fmt.Errorf("boolean literal %s", t.text)
		}
		return pVal{}, fmt.Errorf("name %s", t.text)
	}
	p.pos--
	return pVal{}, fmt.Errorf("unexpected %s", p.describe())
}
