package enforcer

import (
	"fmt"
	"strings"

	"github.com/casbin/govaluate"

	"github.com/wardenhq/warden/internal/matchexpr"
)

// This file turns a matcher, as package matchexpr reads it (govaluate's own
// tree), into terms of the forms Warden evaluates itself: &&, ||, ! of a
// condition, == and != of fields and string literals, calls of role
// functions, of Casbin's string matching functions and (not for the
// planner) of functions registered with WithFunction on such operands,
// and, for the planner only, attributes of request fields and the in
// operator. Anything else is refused with the construct named; the caller
// then leaves the matcher (or the term) to govaluate, or, planning,
// refuses to guess.

type termKind uint8

const (
	tAnd termKind = iota
	tOr
	tNot
	tEq
	tNe
	tIn
	tCall
)

// term is a matcher term. For tEq and tNe args holds the two sides, for tIn
// the left side then the list, for tCall the arguments.
type term struct {
	kind termKind
	kids []*term
	fn   string
	args []operand
	text string // the call as written, for messages
}

type operandKind uint8

const (
	opReq operandKind = iota // a request field r_x, or (planner) an attribute of one
	opPol                    // a policy field p_x
	opLit                    // a string literal
)

type operand struct {
	kind operandKind
	idx  int
	attr string   // for opReq: the attribute path ("Owner"), or ""
	path []string // attr split at its dots
	lit  string
	name string // as written, for messages
}

// termReader reads matcher trees into terms.
type termReader struct {
	rIdx, pIdx map[string]int
	roles      map[string]int // role function → graph
	funcs      map[string]govaluate.ExpressionFunction
	// plan admits the planner's constructs: attributes of request fields
	// and in with a literal list.
	plan bool
}

func (cm *compiledModel) reader(plan bool) *termReader {
	return &termReader{rIdx: cm.rIdx, pIdx: cm.pIdx, roles: cm.gIdx, funcs: cm.funcs, plan: plan}
}

// parseTerms parses a whole matcher into terms.
func (rd *termReader) parseTerms(matcher string) (*term, error) {
	toks, err := matchexpr.Tokenize(matcher)
	if err != nil {
		return nil, err
	}
	if rd.plan {
		// The planner names the first construct it cannot translate in
		// the order it is written.
		if err := planVocabulary(toks); err != nil {
			return nil, err
		}
	}
	tree, err := matchexpr.ParseTokens(matcher, toks, nil)
	if err != nil {
		return nil, err
	}
	return rd.read(tree)
}

// planVocabulary refuses the tokens the planner has no translation for.
func planVocabulary(toks []matchexpr.Token) error {
	for _, t := range toks {
		switch t.Kind {
		case matchexpr.String:
			if t.Escaped {
				return fmt.Errorf("string literal with an escape %q", t.Text)
			}
			if t.Time {
				// govaluate turns it into a time.Time, not a string.
				return fmt.Errorf("time literal %q", t.Text)
			}
		case matchexpr.Number:
			return fmt.Errorf("number %s", t.Text)
		case matchexpr.Prefix:
			if t.Text != "!" {
				return fmt.Errorf("operator %s", t.Text)
			}
		case matchexpr.Modifier, matchexpr.Ternary:
			return fmt.Errorf("operator %s", t.Text)
		case matchexpr.Comparator:
			if t.Text != "==" && t.Text != "!=" && t.Text != "in" {
				return fmt.Errorf("operator %s", t.Text)
			}
		case matchexpr.Name:
			if t.Bracketed {
				return fmt.Errorf("bracketed name [%s]", t.Text)
			}
		}
	}
	return nil
}

// read converts one node, a condition.
func (rd *termReader) read(n *matchexpr.Node) (*term, error) {
	switch n.Op {
	case matchexpr.OpParen:
		if n.Kids[0].Op == matchexpr.OpEmpty {
			return nil, fmt.Errorf("empty parentheses")
		}
		return rd.read(n.Kids[0])
	case matchexpr.OpBinary:
		switch n.Text {
		case "&&", "||":
			a, err := rd.read(n.Kids[0])
			if err != nil {
				return nil, err
			}
			b, err := rd.read(n.Kids[1])
			if err != nil {
				return nil, err
			}
			kind := tAnd
			if n.Text == "||" {
				kind = tOr
			}
			return &term{kind: kind, kids: []*term{a, b}}, nil
		case "==", "!=":
			return rd.comparison(n)
		case "in":
			if rd.plan {
				return rd.in(n)
			}
		}
		return nil, fmt.Errorf("operator %s", n.Text)
	case matchexpr.OpUnary:
		if n.Text != "!" {
			return nil, fmt.Errorf("operator %s", n.Text)
		}
		// govaluate binds ! to the next operand alone, as the tree does:
		// !r.sub == p.sub is (!r.sub) == p.sub, an error in Casbin, and
		// is refused here as a comparison of a negation.
		k, err := rd.read(n.Kids[0])
		if err != nil {
			return nil, err
		}
		return &term{kind: tNot, kids: []*term{k}}, nil
	case matchexpr.OpCall:
		return rd.call(n)
	case matchexpr.OpMethod:
		return nil, fmt.Errorf("method call %s(…)", n.Text)
	}
	o, err := rd.operand(n)
	if err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("%s used as a condition (not compared with == or !=)", o.name)
}

// side refuses, naming the reason, a side of a comparison that is not an
// operand: the result of a call or a parenthesised condition.
func (rd *termReader) side(n *matchexpr.Node) (operand, error) {
	switch n.Op {
	case matchexpr.OpCall:
		if _, err := rd.call(n); err != nil {
			return operand{}, err
		}
		return operand{}, fmt.Errorf("comparison of the result of %s", n.Text)
	case matchexpr.OpParen, matchexpr.OpBinary, matchexpr.OpUnary:
		return operand{}, fmt.Errorf("comparison of a parenthesised condition")
	}
	return rd.operand(n)
}

func (rd *termReader) comparison(n *matchexpr.Node) (*term, error) {
	l, err := rd.side(n.Kids[0])
	if err != nil {
		return nil, err
	}
	r, err := rd.side(n.Kids[1])
	if err != nil {
		return nil, err
	}
	kind := tEq
	if n.Text == "!=" {
		kind = tNe
	}
	return &term{kind: kind, args: []operand{l, r}}, nil
}

// in reads x in ('a', 'b'): a list of at least two operands (govaluate
// reads ('a') as a string, not a list).
func (rd *termReader) in(n *matchexpr.Node) (*term, error) {
	l, err := rd.side(n.Kids[0])
	if err != nil {
		return nil, err
	}
	list := n.Kids[1]
	if list.Op != matchexpr.OpParen {
		return nil, fmt.Errorf("in without a literal list")
	}
	if list.Kids[0].Op != matchexpr.OpList {
		return nil, fmt.Errorf("in with fewer than two values")
	}
	args := []operand{l}
	for _, k := range list.Kids[0].Kids {
		v, err := rd.operand(k)
		if err != nil {
			return nil, err
		}
		args = append(args, v)
	}
	return &term{kind: tIn, args: args}, nil
}

func (rd *termReader) call(n *matchexpr.Node) (*term, error) {
	name := n.Text
	args := make([]operand, 0, len(n.Kids))
	for _, k := range n.Kids {
		if k.Op == matchexpr.OpCall || k.Op == matchexpr.OpMethod {
			return nil, fmt.Errorf("nested call %s(…) in the arguments of %s", k.Text, name)
		}
		v, err := rd.operand(k)
		if err != nil {
			return nil, err
		}
		args = append(args, v)
	}
	_, role := rd.roles[name]
	names := make([]string, len(args))
	for i, a := range args {
		names[i] = a.name
	}
	text := name + "(" + strings.Join(names, ", ") + ")"
	switch {
	case role && len(args) > 3:
		// Casbin's g reads its first three arguments (names and domain)
		// and ignores the others, which it only requires to be strings:
		// the reader above has found them to be fields or string
		// literals. An attribute (read only by the planner) may be
		// anything, so it is left to govaluate.
		for _, a := range args[3:] {
			if a.attr != "" {
				return nil, fmt.Errorf("attribute %s in %s", a.name, text)
			}
		}
		args = args[:3]
	case role && len(args) == 2 || role && len(args) == 3:
	case role:
		return nil, fmt.Errorf("%s with %d arguments", name, len(args))
	case name == "eval":
		return nil, fmt.Errorf("eval()")
	case boolFuncs[name] != nil:
		if len(args) != 2 {
			return nil, fmt.Errorf("%s with %d arguments", name, len(args))
		}
	case rd.funcs[name] != nil && !rd.plan:
		// A registered function: called with the operands as govaluate
		// passes them. The planner has no translation for it.
	default:
		return nil, fmt.Errorf("function %s", name)
	}
	return &term{kind: tCall, fn: name, args: args, text: text}, nil
}

// operand reads a field or a string literal.
func (rd *termReader) operand(n *matchexpr.Node) (operand, error) {
	switch n.Op {
	case matchexpr.OpString:
		switch {
		case n.Tok.Escaped:
			// Casbin doubles a backslash inside a literal and govaluate
			// halves it; the index compares only plain text.
			return operand{}, fmt.Errorf("string literal with an escape %q", n.Text)
		case n.Tok.Time:
			return operand{}, fmt.Errorf("time literal %q", n.Text)
		}
		return operand{kind: opLit, lit: n.Text, name: fmt.Sprintf("%q", n.Text)}, nil
	case matchexpr.OpName:
		if n.Tok.Bracketed {
			return operand{}, fmt.Errorf("bracketed name [%s]", n.Text)
		}
		base, attr, _ := strings.Cut(n.Text, ".")
		name := strings.Replace(base, "_", ".", 1)
		if attr != "" {
			name += "." + attr
		}
		if i, ok := rd.rIdx[base]; ok {
			if attr != "" && !rd.plan {
				return operand{}, fmt.Errorf("attribute %s", name)
			}
			o := operand{kind: opReq, idx: i, attr: attr, name: name}
			if attr != "" {
				o.path = strings.Split(attr, ".")
			}
			return o, nil
		}
		if i, ok := rd.pIdx[base]; ok {
			if attr != "" {
				return operand{}, fmt.Errorf("attribute %s of a policy field", name)
			}
			return operand{kind: opPol, idx: i, name: name}, nil
		}
		return operand{}, fmt.Errorf("name %s", n.Text)
	case matchexpr.OpBool:
		return operand{}, fmt.Errorf("boolean literal %s", n.Text)
	case matchexpr.OpNumber:
		return operand{}, fmt.Errorf("number %s", n.Text)
	case matchexpr.OpCall, matchexpr.OpMethod:
		return operand{}, fmt.Errorf("call %s(…) as a value", n.Text)
	case matchexpr.OpEmpty:
		return operand{}, fmt.Errorf("missing operand")
	}
	return operand{}, fmt.Errorf("expression as a value")
}
