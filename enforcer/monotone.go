package enforcer

import (
	"errors"
	"fmt"
	"strings"

	"github.com/casbin/casbin/v2/constant"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/util"

	"github.com/wardenhq/warden/internal/matchexpr"
)

// ErrNotMonotone is wrapped by the error of Monotone.
var ErrNotMonotone = errors.New("enforcer: a missing group or permission can turn a deny into an allow")

// Monotone returns nil when, under m, adding groups or request-scoped rules
// to a request can only turn a deny into an allow, never an allow into a
// deny. Only then may a decision be made with some of the caller's groups
// or permissions missing (a source that failed): it can only deny more.
// That holds for the effect some(where (p.eft == allow)) (deny rules never
// count) with a matcher that negates nothing and evaluates no rule text.
// Otherwise the error, wrapping ErrNotMonotone, says why: a deny rule can
// win, or a negation such as !g(r.sub, "suspended") can, so a missing
// "suspended" group would allow.
func Monotone(m model.Model) error {
	if len(m["e"]) != 1 || m["e"]["e"] == nil || len(m["m"]) != 1 || m["m"]["m"] == nil {
		return fmt.Errorf("%w: the model has other than one effect and one matcher", ErrNotMonotone)
	}
	if eft := m["e"]["e"].Value; eft != constant.AllowOverrideEffect {
		return fmt.Errorf("%w: its effect %q lets a deny rule win", ErrNotMonotone, eft)
	}
	matcher := m["m"]["m"].Value
	switch {
	case negates(matcher):
		return fmt.Errorf("%w: its matcher negates a condition", ErrNotMonotone)
	case util.HasEval(matcher):
		return fmt.Errorf("%w: its matcher evaluates rule text with eval()", ErrNotMonotone)
	}
	return monotoneInRoles(m, matcher)
}

// monotoneInRoles refuses a matcher in which a role function's result is
// anything but a term of && and ||. Without "!" a matcher can still
// negate: g(r.sub, "suspended") == false, or two role calls compared with
// ==, is true when the "suspended" group is missing. The matcher must
// read as the terms the fast path compiles (calls, comparisons of fields
// and literals, &&, ||, parentheses), in which a call's result can only be
// combined with && and ||; a matcher outside them is refused when it has a
// role definition, since its groups could then be read any way.
func monotoneInRoles(m model.Model, matcher string) error {
	if len(m["g"]) == 0 {
		return nil
	}
	rd := &termReader{rIdx: map[string]int{}, pIdx: map[string]int{}, roles: map[string]int{}}
	if r := m["r"]["r"]; r != nil {
		for i, t := range r.Tokens {
			rd.rIdx[t] = i
		}
	}
	if p := m["p"]["p"]; p != nil {
		for i, t := range p.Tokens {
			rd.pIdx[t] = i
		}
	}
	for name := range m["g"] {
		rd.roles[name] = 0
	}
	if _, err := rd.parseTerms(matcher); err != nil {
		return fmt.Errorf("%w: its matcher reads roles in a form Warden cannot prove monotone "+
			"(only calls and == of fields joined by && and ||)", ErrNotMonotone)
	}
	return nil
}

// negates reports whether the matcher has an operator that negates: the
// prefix !, != or !~. An ! inside a string literal negates nothing. A
// matcher govaluate cannot read counts as negating.
func negates(matcher string) bool {
	toks, err := matchexpr.Tokenize(matcher)
	if err != nil {
		return true
	}
	for _, t := range toks {
		if (t.Kind == matchexpr.Prefix || t.Kind == matchexpr.Comparator) && strings.Contains(t.Text, "!") {
			return true
		}
	}
	return false
}
