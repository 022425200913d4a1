package lint

import (
	"github.com/casbin/casbin/v2/model"

	"github.com/wardenhq/warden/internal/modelcheck"
)

// The checks of a model and of rule values live in internal/modelcheck,
// which the enforcer runs too (it refuses at load and write time what they
// find); these are their public names.

// Problem is one finding, located by file and 1-based line; it prints as
// FILE:LINE: message.
type Problem = modelcheck.Problem

// ModelOption changes what Model accepts.
type ModelOption = modelcheck.ModelOption

// AllowRequestEval accepts eval() of request data in a matcher. Such a
// matcher lets the caller write the rule that decides about it: only for
// requests built entirely by trusted code. The enforcer passes it for
// enforcer.WithRequestEvalUnsafe.
func AllowRequestEval() ModelOption { return modelcheck.AllowRequestEval() }

// Model lints the text of a model alone; name is the file name problems
// carry. The enforcer runs the same checks, so that a model the linter
// flags is refused at load time with the same FILE:LINE messages. A
// leading UTF-8 byte order mark is ignored.
func Model(name string, src []byte, opts ...ModelOption) []Problem {
	return modelcheck.Model(name, src, opts...)
}

// Limits bound the work one rule value or request value can cause at
// decision time; a zero field takes its default (DefaultLimits). It is the
// type enforcer.WithLimits takes.
type Limits = modelcheck.Limits

// DefaultLimits are the limits a zero Limits stands for.
var DefaultLimits = modelcheck.DefaultLimits

// Use is one place a matcher passes a field to a function (see MatcherUses).
type Use = modelcheck.Use

// ValueError is a rule or request value that the function reading it
// cannot use, or that is over a limit.
type ValueError = modelcheck.ValueError

// ValueChecker checks rule values against a model's matcher: the checks the
// enforcer applies to every rule on every way into the policy.
type ValueChecker = modelcheck.ValueChecker

// NewValueChecker analyses the matchers of m.
func NewValueChecker(m model.Model, lim Limits) *ValueChecker {
	return modelcheck.NewValueChecker(m, lim)
}

// MatcherUses lists where the matchers of m pass a request or policy field
// directly as a function argument (or as the right operand of =~ and !~).
func MatcherUses(m model.Model) []Use { return modelcheck.MatcherUses(m) }

// LiteralProblems checks the string literals a matcher passes as patterns
// (keyMatch2(r.obj, "/posts(")), with the default limits.
func LiteralProblems(matcher string) []string { return modelcheck.LiteralProblems(matcher) }

// RequestEval returns the arguments of eval() calls in m's matchers that
// read request data: with such a matcher the request, not the policy, says
// what is allowed.
func RequestEval(m model.Model) []string { return modelcheck.RequestEval(m) }
