package matchexpr

import (
	"errors"
	"regexp"
)

// Op is the kind of a Node.
type Op uint8

// The node kinds: govaluate's evaluation stages, named.
const (
	OpName   Op = iota + 1 // a variable (Tok.Kind Name) or an attribute path (Tok.Kind Accessor)
	OpString               // a string literal; Tok.Time tells whether govaluate reads it as a time
	OpNumber               // a number
	OpBool                 // true or false
	OpCall                 // a function call: Text is the name, Kids the arguments
	OpMethod               // a method call on an attribute path: Text is the path, Kids[0] the argument expression
	OpParen                // a parenthesised expression: Kids[0] (OpEmpty for "()")
	OpList                 // a comma list: Kids are the items
	OpUnary                // a prefix operator (Text ! - ~) on Kids[0]
	OpBinary               // a binary operator (Text) on Kids[0] and Kids[1]
	OpEmpty                // a missing operand before ")": govaluate reads nil
)

// Node is a node of the expression tree govaluate plans.
type Node struct {
	Op Op
	// Text is the name (OpName, OpCall, OpMethod), the value (OpString),
	// the number or boolean as written, or the operator (OpUnary,
	// OpBinary).
	Text string
	Kids []*Node
	// Tok is the leaf's token, the operator's for OpUnary and OpBinary,
	// and the name's for OpCall and OpMethod.
	Tok Token
	// Pos and End are the node's byte offsets in the source.
	Pos, End int
}

// Parse reads src as govaluate's NewEvaluableExpressionWithFunctions does
// and returns the tree it would evaluate, or the error it would return (or
// an error instead of its panic).
//
// isFunc says which names are functions (govaluate's function map): a name
// followed by "(" must be one, and a function must be called. With a nil
// isFunc, every name followed by "(" is taken for a function.
//
// Two readings of govaluate are kept as they are. A method call on an
// attribute path takes the rest of the expression as its argument:
// r_obj.Has(x) && y is r_obj.Has((x) && y). And a complete parenthesised
// term or call that no operator joins to what follows, as in (a) b or
// f(a) b, makes govaluate ignore the rest: Parse refuses it with an error
// matching ErrMisread.
func Parse(src string, isFunc func(name string) bool) (*Node, error) {
	toks, err := Tokenize(src)
	if err != nil {
		return nil, err
	}
	return ParseTokens(src, toks, isFunc)
}

// ParseTokens is Parse of tokens that Tokenize returned for src.
func ParseTokens(src string, toks []Token, isFunc func(name string) bool) (*Node, error) {
	if err := checkSyntax(src, toks, isFunc); err != nil {
		return nil, err
	}
	p := &parser{toks: toks, src: src}
	n, err := p.separator()
	if err != nil {
		return nil, err
	}
	if p.pos < len(toks) {
		t := toks[p.pos]
		return nil, &Error{Pos: t.Pos, Msg: "govaluate ignores " + quoteSrc(src[t.Pos:]) + ": nothing joins it to what comes before", err: ErrMisread}
	}
	return n, nil
}

func quoteSrc(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return `"` + s + `"`
}

// checkSyntax is govaluate's checkBalance, checkExpressionSyntax and the
// regular expression compilation of optimizeTokens.
func checkSyntax(src string, toks []Token, isFunc func(string) bool) error {
	depth := 0
	for _, t := range toks {
		switch t.Kind {
		case LParen:
			depth++
		case RParen:
			depth--
		}
	}
	if depth != 0 {
		return errAt(len(src), "unbalanced parenthesis")
	}
	state := stateUnknown
	for i, t := range toks {
		k := t.state()
		if t.Kind == Name && !t.Bracketed {
			called := i+1 < len(toks) && toks[i+1].Kind == LParen
			if isFunc == nil && called || isFunc != nil && isFunc(t.Text) {
				k = gvFunction
			}
		}
		if !state.canTransitionTo(k) {
			if state == gvVariable && k == gvClause {
				return errAt(t.Pos, "undefined function %s", toks[i-1].Text)
			}
			return errAt(t.Pos, "%s cannot follow %s", describe(t), describePrev(toks, i))
		}
		state = k
	}
	if !states[state].eof {
		return errAt(len(src), "unexpected end of expression")
	}
	for i, t := range toks {
		if t.Kind == Comparator && (t.Text == "=~" || t.Text == "!~") && i+1 < len(toks) && toks[i+1].Kind == String && !toks[i+1].Time {
			if _, err := regexp.Compile(toks[i+1].Text); err != nil {
				return errAt(toks[i+1].Pos, "%s pattern %q: %v", t.Text, toks[i+1].Text, err)
			}
		}
	}
	return nil
}

func describe(t Token) string {
	switch t.Kind {
	case String:
		return "string " + quoteSrc(t.Text)
	case Name, Accessor, Number, Bool:
		return t.Kind.String() + " " + t.Text
	case LParen, RParen, Comma:
		return `"` + t.Text + `"`
	}
	return t.Kind.String() + " " + t.Text
}

func describePrev(toks []Token, i int) string {
	if i == 0 {
		return "the start"
	}
	return describe(toks[i-1])
}

type parser struct {
	toks []Token
	src  string
	pos  int
}

func (p *parser) peek() (Token, bool) {
	if p.pos < len(p.toks) {
		return p.toks[p.pos], true
	}
	return Token{}, false
}

func (p *parser) peekIs(k Kind) bool {
	t, ok := p.peek()
	return ok && t.Kind == k
}

// separator is the lowest precedence level: a, b, c.
func (p *parser) separator() (*Node, error) {
	n, err := p.ternary()
	if err != nil || !p.peekIs(Comma) {
		return n, err
	}
	list := &Node{Op: OpList, Kids: []*Node{n}, Pos: n.Pos}
	for p.peekIs(Comma) {
		p.pos++
		k, err := p.ternary()
		if err != nil {
			return nil, err
		}
		list.Kids = append(list.Kids, k)
	}
	list.End = list.Kids[len(list.Kids)-1].End
	return list, nil
}

// level parses one left-associative precedence level of binary operators
// of kind k (and, when syms is not nil, only those symbols) over next. It
// is govaluate's planPrecedenceLevel followed by its reorderStages, which
// turns the right-recursive plan of a run of equal precedence into a
// left-associative one.
func (p *parser) level(k Kind, syms map[string]bool, next func() (*Node, error)) (*Node, error) {
	left, err := next()
	if err != nil {
		return nil, err
	}
	for {
		t, ok := p.peek()
		if !ok || t.Kind != k || syms != nil && !syms[t.Text] {
			return left, nil
		}
		p.pos++
		right, err := next()
		if err != nil {
			return nil, err
		}
		left = &Node{Op: OpBinary, Text: t.Text, Tok: t, Kids: []*Node{left, right}, Pos: left.Pos, End: right.End}
	}
}

var (
	bitwiseSymbols        = map[string]bool{"&": true, "|": true, "^": true}
	shiftSymbols          = map[string]bool{"<<": true, ">>": true}
	additiveSymbols       = map[string]bool{"+": true, "-": true}
	multiplicativeSymbols = map[string]bool{"*": true, "/": true, "%": true}
	exponentSymbols       = map[string]bool{"**": true}
	orSymbols             = map[string]bool{"||": true}
	andSymbols            = map[string]bool{"&&": true}
)

func (p *parser) ternary() (*Node, error) { return p.level(Ternary, nil, p.or) }
func (p *parser) or() (*Node, error)      { return p.level(Logical, orSymbols, p.and) }
func (p *parser) and() (*Node, error)     { return p.level(Logical, andSymbols, p.comparator) }
func (p *parser) comparator() (*Node, error) {
	return p.level(Comparator, nil, p.bitwise)
}
func (p *parser) bitwise() (*Node, error) { return p.level(Modifier, bitwiseSymbols, p.shift) }
func (p *parser) shift() (*Node, error)   { return p.level(Modifier, shiftSymbols, p.additive) }
func (p *parser) additive() (*Node, error) {
	return p.level(Modifier, additiveSymbols, p.multiplicative)
}
func (p *parser) multiplicative() (*Node, error) {
	return p.level(Modifier, multiplicativeSymbols, p.exponent)
}
func (p *parser) exponent() (*Node, error) { return p.level(Modifier, exponentSymbols, p.function) }

// function is govaluate's planFunction and planAccessor: a call, a method
// call, or a value.
func (p *parser) function() (*Node, error) {
	t, ok := p.peek()
	if !ok {
		return p.value()
	}
	called := p.pos+1 < len(p.toks) && p.toks[p.pos+1].Kind == LParen
	switch {
	case t.Kind == Name && !t.Bracketed && called:
		p.pos++
		paren, err := p.value()
		if err != nil {
			return nil, err
		}
		n := &Node{Op: OpCall, Text: t.Text, Tok: t, Pos: t.Pos, End: paren.End}
		switch inner := paren.Kids[0]; inner.Op {
		case OpEmpty:
		case OpList:
			n.Kids = inner.Kids
		default:
			n.Kids = []*Node{inner}
		}
		return n, nil
	case t.Kind == Accessor && called:
		// govaluate plans the argument with planTokens from the "(":
		// the whole rest of the expression, at the lowest precedence.
		p.pos++
		arg, err := p.separator()
		if err != nil {
			return nil, err
		}
		return &Node{Op: OpMethod, Text: t.Text, Tok: t, Kids: []*Node{arg}, Pos: t.Pos, End: arg.End}, nil
	case t.Kind == Accessor:
		p.pos++
		return &Node{Op: OpName, Text: t.Text, Tok: t, Pos: t.Pos, End: t.End}, nil
	}
	return p.value()
}

// value is govaluate's planValue.
func (p *parser) value() (*Node, error) {
	t, ok := p.peek()
	if !ok {
		return nil, errAt(len(p.src), "unexpected end of expression")
	}
	leaf := func(op Op) (*Node, error) {
		p.pos++
		return &Node{Op: op, Text: t.Text, Tok: t, Pos: t.Pos, End: t.End}, nil
	}
	switch t.Kind {
	case LParen:
		afterIn := p.pos > 0 && p.toks[p.pos-1].Kind == Comparator && p.toks[p.pos-1].Text == "in"
		p.pos++
		inner, err := p.separator()
		if err != nil {
			return nil, err
		}
		end, ok := p.peek()
		if !ok || end.Kind != RParen {
			// govaluate skips the next token, taking it for the ")".
			at := len(p.src)
			if ok {
				at = end.Pos
			}
			return nil, &Error{Pos: at, Msg: "govaluate ignores " + quoteSrc(p.src[at:]) + ": nothing joins it to the parenthesised term before it", err: ErrMisread}
		}
		if inner.Op == OpEmpty && afterIn {
			// govaluate dereferences the nil stage of "in ()" and panics.
			return nil, errAt(t.Pos, "in () with nothing in the list")
		}
		p.pos++
		return &Node{Op: OpParen, Kids: []*Node{inner}, Tok: t, Pos: t.Pos, End: end.End}, nil
	case RParen:
		return &Node{Op: OpEmpty, Tok: t, Pos: t.Pos, End: t.Pos}, nil
	case Name:
		return leaf(OpName)
	case Number:
		return leaf(OpNumber)
	case String:
		return leaf(OpString)
	case Bool:
		return leaf(OpBool)
	case Prefix:
		p.pos++
		x, err := p.function()
		if err != nil {
			return nil, err
		}
		return &Node{Op: OpUnary, Text: t.Text, Tok: t, Kids: []*Node{x}, Pos: t.Pos, End: x.End}, nil
	}
	return nil, errAt(t.Pos, "unexpected %s", describe(t))
}

// Walk calls f on n and, while f returns true, on its descendants, in
// source order.
func (n *Node) Walk(f func(*Node) bool) {
	if n == nil || !f(n) {
		return
	}
	for _, k := range n.Kids {
		k.Walk(f)
	}
}

// Conjuncts returns the operands of the top-level chain of && in n (n
// itself when its operator is not &&), left to right. Parentheses end the
// chain: (a && b) && c has the conjuncts (a && b) and c.
func (n *Node) Conjuncts() []*Node {
	if n.Op == OpBinary && n.Text == "&&" {
		return append(n.Kids[0].Conjuncts(), n.Kids[1].Conjuncts()...)
	}
	return []*Node{n}
}

// IsMisread reports whether err is Parse's refusal of an expression that
// govaluate reads differently from how it is written.
func IsMisread(err error) bool { return errors.Is(err, ErrMisread) }
