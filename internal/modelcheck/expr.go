package modelcheck

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/casbin/govaluate"

	"github.com/wardenhq/warden/internal/matchexpr"
)

// The checks read matchers and eval() rule values with package matchexpr,
// the reading of govaluate that the enforcer uses too: string literals end
// at either quote, a backquote is no quote, and names inside literals are
// text. These helpers work on its tokens, so that they also read a matcher
// govaluate would misread (which is reported once, by checkMatcher).

// call is a call of a named function: its name and its arguments, each the
// run of tokens between the commas of its parentheses.
type call struct {
	name matchexpr.Token
	args [][]matchexpr.Token
}

// calls returns every call of a named function in toks, calls inside the
// arguments of others included, in source order. A method call on an
// attribute (r_obj.Has(x)) is not one: govaluate calls no function then.
func calls(toks []matchexpr.Token) []call {
	var out []call
	for i := 0; i+1 < len(toks); i++ {
		if t := toks[i]; t.Kind == matchexpr.Name && !t.Bracketed && toks[i+1].Kind == matchexpr.LParen {
			out = append(out, call{name: t, args: splitArgs(toks, i+1)})
		}
	}
	return out
}

// splitArgs splits the tokens inside the parentheses opened at toks[open]
// at their top-level commas.
func splitArgs(toks []matchexpr.Token, open int) [][]matchexpr.Token {
	var args [][]matchexpr.Token
	depth, start := 0, open+1
	for i := open; i < len(toks); i++ {
		switch toks[i].Kind {
		case matchexpr.LParen:
			depth++
		case matchexpr.RParen:
			depth--
			if depth == 0 {
				if i > start || len(args) > 0 {
					args = append(args, toks[start:i])
				}
				return args
			}
		case matchexpr.Comma:
			if depth == 1 {
				args = append(args, toks[start:i])
				start = i + 1
			}
		}
	}
	return args
}

// unwrap strips one pair of parentheses around a whole argument: (p_obj).
func unwrap(arg []matchexpr.Token) []matchexpr.Token {
	if len(arg) < 2 || arg[0].Kind != matchexpr.LParen || arg[len(arg)-1].Kind != matchexpr.RParen {
		return arg
	}
	depth := 0
	for i, t := range arg {
		switch t.Kind {
		case matchexpr.LParen:
			depth++
		case matchexpr.RParen:
			depth--
			if depth == 0 && i < len(arg)-1 {
				return arg // (a) + (b): the first ")" closes the first "("
			}
		}
	}
	return arg[1 : len(arg)-1]
}

// span is the source text of a run of tokens.
func span(src string, toks []matchexpr.Token) string {
	if len(toks) == 0 {
		return ""
	}
	return src[toks[0].Pos:toks[len(toks)-1].End]
}

var (
	fieldTokenRE   = regexp.MustCompile(`^[rp][0-9]*_[A-Za-z0-9_]+$`)
	requestTokenRE = regexp.MustCompile(`^r[0-9]*_[A-Za-z0-9_]+$`)
	requestRefRE   = regexp.MustCompile(`^r[0-9]*[._][A-Za-z_]`)
)

// isField reports whether t is a field token as Casbin escapes it (p_obj).
func isField(t matchexpr.Token) bool {
	return t.Kind == matchexpr.Name && !t.Bracketed && fieldTokenRE.MatchString(t.Text)
}

// plainLiteral reports whether t is a string literal whose value is its
// text: no escape, which Casbin and govaluate would each rewrite.
func plainLiteral(t matchexpr.Token) bool { return t.Kind == matchexpr.String && !t.Escaped }

// refsRequest reports whether a run of tokens reads a request field,
// directly (r_obj, [r_obj]) or through an attribute (r_sub.Rule).
func refsRequest(toks []matchexpr.Token) bool {
	for _, t := range toks {
		if (t.Kind == matchexpr.Name || t.Kind == matchexpr.Accessor) && requestRefRE.MatchString(t.Text) {
			return true
		}
	}
	return false
}

// compileEval parses an eval() rule value as Casbin does at every decision
// that reaches it, returning govaluate's own error; where govaluate would
// panic (a trailing backslash) the tokenizer's error is returned instead,
// and where it would ignore part of the value (matchexpr.ErrMisread) that
// is an error too.
func compileEval(expr string, funcs map[string]govaluate.ExpressionFunction) ([]matchexpr.Token, error) {
	toks, terr := matchexpr.Tokenize(expr)
	if err := govaluateCompile(expr, funcs); err != nil {
		var me *matchexpr.Error
		if errors.As(terr, &me) && strings.HasPrefix(err.Error(), "panic") {
			return nil, errors.New(me.Msg)
		}
		return nil, err
	}
	if terr != nil {
		return nil, terr // govaluate read what the tokenizer cannot: not expected
	}
	isFunc := func(name string) bool { _, ok := funcs[name]; return ok }
	if _, err := matchexpr.ParseTokens(expr, toks, isFunc); matchexpr.IsMisread(err) {
		var me *matchexpr.Error
		errors.As(err, &me)
		return nil, errors.New(me.Msg)
	}
	return toks, nil
}

func govaluateCompile(expr string, funcs map[string]govaluate.ExpressionFunction) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	_, err = govaluate.NewEvaluableExpressionWithFunctions(expr, funcs)
	return err
}
