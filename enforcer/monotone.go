package enforcer

import (
	"errors"
	"fmt"
	"strings"

	"github.com/casbin/casbin/v2/constant"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/util"
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
	case strings.Contains(matcher, "!"):
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
// parse as the subset the fast path compiles (calls, comparisons of
// fields and literals, &&, ||, parentheses), in which a call's result can
// only be combined with && and ||; a matcher outside it is refused when it
// has a role definition, since its groups could then be read any way.
func monotoneInRoles(m model.Model, matcher string) error {
	if len(m["g"]) == 0 {
		return nil
	}
	rIdx, pIdx, roleFns := map[string]int{}, map[string]int{}, map[string]bool{}
	if r := m["r"]["r"]; r != nil {
		for i, t := range r.Tokens {
			rIdx[t] = i
		}
	}
	if p := m["p"]["p"]; p != nil {
		for i, t := range p.Tokens {
			pIdx[t] = i
		}
	}
	for name := range m["g"] {
		roleFns[name] = true
	}
	if _, ok := parseMatcher(matcher, rIdx, pIdx, roleFns); !ok {
		return fmt.Errorf("%w: its matcher reads roles in a form Warden cannot prove monotone "+
			"(only calls and == of fields joined by && and ||)", ErrNotMonotone)
	}
	return nil
}
