package enforcer

import (
	"errors"
	"fmt"
	"slices"

	"github.com/casbin/casbin/v2/util"
	"github.com/casbin/govaluate"

	"github.com/wardenhq/warden/internal/matchexpr"
)

// This file is eval() on the index. Casbin's eval(p.sub_rule) compiles the
// rule's text with the matcher's functions and evaluates it with the
// request and the rule (enforcer.go, generateEvalFunction), once per rule
// per decision. Warden evaluates it the same way, on the candidates the
// matcher's other terms find, with each distinct text of a stored rule
// compiled once, when the rule is stored. A text that is no stored rule's
// (a request-scoped policy's, or request data under WithRequestEvalUnsafe)
// is compiled for the call and never kept: request data never reaches
// shared state.

// evalEntry is one distinct eval() text of the stored rules, compiled.
type evalEntry struct {
	expr *govaluate.EvaluableExpression
	err  error
	// cond is the text compiled to Go, when it can be (condition.go); it
	// decides first, and expr whatever it does not know.
	cond condFn
	n    int // how many stored rule values have this text
}

// evalFunction is eval() in govaluate's function map: withScope gives it
// the decision's scope before Casbin's one argument.
func evalFunction(args ...any) (any, error) {
	if len(args) != 2 {
		return nil, fmt.Errorf("function eval(subrule string) expected 1 arguments, but got %d", len(args)-1)
	}
	ev, ok := args[0].(*evalCtx)
	if !ok {
		return nil, errors.New("enforcer: eval() without scope")
	}
	text, ok := args[1].(string)
	if !ok {
		return nil, errors.New("argument of eval(subrule string) must be a string")
	}
	expr, err := ev.evalExpr(text)
	if err != nil {
		return nil, err
	}
	// A text that evaluates eval() of itself (request data under
	// WithRequestEvalUnsafe: r.rule holding "eval(r.rule)") would call
	// this function until the goroutine's stack overflows, which kills
	// the process: no recover catches it. Casbin's eval() does so.
	if ev.evalDepth >= maxEvalDepth {
		return nil, fmt.Errorf("%w: eval() nested deeper than %d", ErrEvaluation, maxEvalDepth)
	}
	// The depth bound leaves the width free: r.a calling eval(r.b) 300
	// times, r.b calling eval(r.c) 300 times and so on multiply the work
	// by 300 a field. The calls one eval() of the matcher makes within it
	// are bounded too.
	if ev.evalDepth == 0 {
		ev.evalNested = 0
	} else if ev.evalNested++; ev.evalNested > maxEvalNested {
		return nil, fmt.Errorf("%w: eval() called more than %d times within one eval()", ErrEvaluation, maxEvalNested)
	}
	ev.evalDepth++
	defer func() { ev.evalDepth-- }()
	return expr.Eval(&ev.params)
}

// maxEvalDepth bounds eval() calls within eval() texts. Stored texts
// cannot call eval() (the value checks refuse it), so only request data
// under WithRequestEvalUnsafe nests at all.
const maxEvalDepth = 32

// maxEvalNested bounds the eval() calls within one eval() call of the
// matcher, at every depth together.
const maxEvalNested = 1024

// evalExpr is text compiled: the stored rules' compilation when one of
// them has this text, else a fresh one.
func (ev *evalCtx) evalExpr(text string) (*govaluate.EvaluableExpression, error) {
	if e, ok := ev.ix.evals[text]; ok {
		return e.expr, e.err
	}
	return ev.cm.compileEval(text)
}

// compileEval compiles an eval() text as Casbin does (its r.x and p.x
// written r_x and p_x), with the matcher's functions, role functions and
// eval() given the scope.
func (cm *compiledModel) compileEval(text string) (expr *govaluate.EvaluableExpression, err error) {
	defer func() {
		// govaluate's lexer panics on a trailing backslash.
		if r := recover(); r != nil {
			expr, err = nil, fmt.Errorf("error while parsing eval parameter: %s, govaluate panicked: %v", text, r)
		}
	}()
	if cm.evalGate != nil {
		if err := cm.evalGate(text); err != nil {
			return nil, err
		}
	}
	escaped := util.EscapeAssertion(text)
	expr, err = govaluate.NewEvaluableExpressionWithFunctions(cm.withScope(escaped), cm.functions)
	if err != nil {
		return nil, fmt.Errorf("error while parsing eval parameter: %s, %s", escaped, err.Error())
	}
	return expr, nil
}

// evalArgs are the policy fields the matcher calls eval() on, as govaluate
// reads the calls: eval followed by "(", one policy field name and ")".
func (cm *compiledModel) evalArgs(toks []matchexpr.Token) []int {
	var out []int
	for i := 0; i+3 < len(toks); i++ {
		t, open, arg, end := toks[i], toks[i+1], toks[i+2], toks[i+3]
		if t.Kind != matchexpr.Name || t.Text != "eval" || t.Bracketed || open.Kind != matchexpr.LParen ||
			arg.Kind != matchexpr.Name || arg.Bracketed || end.Kind != matchexpr.RParen {
			continue
		}
		if j, ok := cm.pIdx[arg.Text]; ok && !slices.Contains(out, j) {
			out = append(out, j)
		}
	}
	return out
}

// evalAdd compiles the eval() texts of a stored rule, once per distinct
// text.
func (ix *ruleIndex) evalAdd(sr *storedRule) {
	for _, f := range ix.cm.evalFields {
		text := sr.vals[f]
		if e, ok := ix.evals[text]; ok {
			e.n++
			continue
		}
		expr, err := ix.cm.compileEval(text)
		if ix.evals == nil {
			ix.evals = map[string]*evalEntry{}
		}
		e := &evalEntry{expr: expr, err: err, n: 1}
		if err == nil {
			e.cond = ix.cm.compileEvalCondition(text)
		}
		ix.evals[text] = e
	}
}

// evalRemove forgets the texts of a removed rule that no other stored
// rule has.
func (ix *ruleIndex) evalRemove(sr *storedRule) {
	for _, f := range ix.cm.evalFields {
		text := sr.vals[f]
		if e, ok := ix.evals[text]; ok {
			if e.n--; e.n <= 0 {
				delete(ix.evals, text)
			}
		}
	}
}
