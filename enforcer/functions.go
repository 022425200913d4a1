package enforcer

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/util"
	"github.com/casbin/govaluate"

	"github.com/wardenhq/warden/internal/modelcheck"
)

// Functions registered in code: matcher functions (WithFunction, Casbin's
// AddFunction) and matching functions of role definitions
// (WithMatchingFunction, WithDomainMatchingFunction: Casbin's
// AddNamedMatchingFunc and AddNamedDomainMatchingFunc). A model that calls one is refused by LoadModel, ParseModel
// and `warden lint` unless the function is registered, since nothing in
// the model's text says what it is; give the same options to LoadModel (or
// ParseModel) and New, as NewFromFiles does.
//
// Casbin's AddFunction never replaces a function it has (its function map
// stores a name once), so a function named like one of Casbin's built-ins
// (keyMatch, regexMatch, eval…) would be ignored by Casbin and a function
// named like a role definition is shadowed by it. Warden refuses both
// names instead, so that the same function is called by the index and by
// the embedded Casbin enforcer (WithCasbinEvaluation and the models the
// index cannot serve).

// ErrInvalidOption is returned by New, NewFromFiles, LoadModel and
// ParseModel for an option they cannot honour: a function with a name that
// Casbin would ignore or shadow, a nil function, one registered twice.
var ErrInvalidOption = errors.New("enforcer: invalid option")

// MatcherFunction is a function a matcher can call, with Casbin's
// AddFunction signature: it gets the call's arguments (strings for request
// and policy fields of string requests) and returns the value of the call.
type MatcherFunction = func(args ...any) (any, error)

// WithFunction registers a named matcher function, as Casbin's AddFunction
// does: a matcher such as
//
//	m = r.sub == p.sub && ownerOf(r.obj, p.obj)
//
// calls fn with the values of r.obj and p.obj. The other terms of the
// matcher still choose the candidate rules through the index, and fn runs
// only on them. A call that returns an error, panics, or returns anything
// but a bool where a condition is needed fails the decision with
// ErrEvaluation: it denies, as Casbin fails the same request.
//
// name must be an identifier that is neither one of Casbin's built-in
// functions nor a role definition of the model (Casbin would ignore or
// shadow it), and registered once.
func WithFunction(name string, fn MatcherFunction) Option {
	return func(o *options) {
		if err := checkFunctionName(name); err != nil {
			o.fail(err)
			return
		}
		if fn == nil {
			o.fail(fmt.Errorf("%w: WithFunction(%q): nil function", ErrInvalidOption, name))
			return
		}
		if _, dup := o.funcs[name]; dup {
			o.fail(fmt.Errorf("%w: WithFunction(%q): registered twice", ErrInvalidOption, name))
			return
		}
		if o.funcs == nil {
			o.funcs = map[string]govaluate.ExpressionFunction{}
		}
		o.funcs[name] = fn
		o.funcOrder = append(o.funcOrder, name)
	}
}

// WithMatchingFunction gives role definition ptype ("g", "g2"…) a function
// that reads the names in its links as patterns, as Casbin's
// AddNamedMatchingFunc does: with util.KeyMatch2, the link
// "g2, /book/:id, book_group" puts "/book/1" in book_group, and
// g2(r.obj, p.obj) holds for r.obj "/book/1" and p.obj "book_group".
// fn(name, pattern) reports whether name matches pattern; equal strings
// always match. With fn nil, name chooses one of Casbin's functions
// (keyMatch, keyMatch2…keyMatch5, regexMatch, globMatch); otherwise name is
// only a label, as in Casbin.
//
// Casbin's own functions (given by name, or as util.KeyMatch…) are indexed
// by their patterns' literal prefixes; another function is tried on every
// name of the links. A role term on such a definition does not key the
// index: the candidates come from the matcher's other terms (or are the
// whole policy), and request-scoped groups, Plan, RulesFor and Roles are
// refused for it (ErrUnsupported). A function that panics fails the
// decision (ErrEvaluation).
func WithMatchingFunction(ptype, name string, fn func(name, pattern string) bool) Option {
	return roleFunction(ptype, name, fn, false)
}

// WithDomainMatchingFunction gives role definition ptype, which must have
// a domain (g = _, _, _), a function that reads the domains of its links as
// patterns, as Casbin's AddNamedDomainMatchingFunc does: a link in domain
// "tenant1/*" then holds in "tenant1/east" too. It replaces the keyMatch
// Casbin registers unasked when the matcher contains keyMatch(r.dom,
// p.dom). fn and name are as for WithMatchingFunction.
func WithDomainMatchingFunction(ptype, name string, fn func(name, pattern string) bool) Option {
	return roleFunction(ptype, name, fn, true)
}

// roleFunc is a matching function registered for a role definition.
type roleFunc struct {
	ptype, name string
	domain      bool
	mf          *matchFn
}

func (r roleFunc) option() string {
	if r.domain {
		return fmt.Sprintf("WithDomainMatchingFunction(%q, %q)", r.ptype, r.name)
	}
	return fmt.Sprintf("WithMatchingFunction(%q, %q)", r.ptype, r.name)
}

var gPTypeRE = regexp.MustCompile(`^g[0-9]*$`)

func roleFunction(ptype, name string, fn func(string, string) bool, domain bool) Option {
	return func(o *options) {
		rf := roleFunc{ptype: ptype, name: name, domain: domain}
		switch {
		case !gPTypeRE.MatchString(ptype):
			o.fail(fmt.Errorf("%w: %s: %q is not a role definition (g, g2, …)", ErrInvalidOption, rf.option(), ptype))
			return
		case fn == nil:
			rf.mf = knownMatchFn(name)
			if rf.mf == nil {
				o.fail(fmt.Errorf("%w: %s: nil function, and %q is none of Casbin's (keyMatch, keyMatch2…keyMatch5, regexMatch, globMatch)", ErrInvalidOption, rf.option(), name))
				return
			}
		default:
			// Casbin's own function: its patterns' prefixes are known,
			// and its regular expressions are compiled once.
			if rf.mf = knownMatchFn(utilName(fn)); rf.mf == nil {
				rf.mf = &matchFn{fn: fn}
			}
		}
		for _, prev := range o.roleFuncs {
			if prev.ptype == ptype && prev.domain == domain {
				o.fail(fmt.Errorf("%w: %s: %s has a function already (%s)", ErrInvalidOption, rf.option(), ptype, prev.option()))
				return
			}
		}
		o.roleFuncs = append(o.roleFuncs, rf)
	}
}

// utilName names fn when it is one of Casbin's util matching functions.
func utilName(fn func(string, string) bool) string {
	p := reflect.ValueOf(fn).Pointer()
	for name, f := range map[string]func(string, string) bool{
		"keyMatch": util.KeyMatch, "keyMatch2": util.KeyMatch2, "keyMatch3": util.KeyMatch3,
		"keyMatch4": util.KeyMatch4, "keyMatch5": util.KeyMatch5, "regexMatch": util.RegexMatch,
	} {
		if reflect.ValueOf(f).Pointer() == p {
			return name
		}
	}
	return ""
}

// roleMatch returns the matching functions registered for role definition
// ptype: of its names and of its domains (nil for none).
func (o *options) roleMatch(ptype string) (names, domains *matchFn) {
	for _, rf := range o.roleFuncs {
		if rf.ptype == ptype {
			if rf.domain {
				domains = rf.mf
			} else {
				names = rf.mf
			}
		}
	}
	return names, domains
}

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// govaluateWords are names govaluate reads as operators or literals, never
// as a function.
var govaluateWords = []string{"true", "false", "in", "IN"}

func checkFunctionName(name string) error {
	switch {
	case !identRE.MatchString(name) || slices.Contains(govaluateWords, name):
		return fmt.Errorf("%w: WithFunction(%q): not a name a matcher can call", ErrInvalidOption, name)
	case modelcheck.IsBuiltinFunction(name):
		return fmt.Errorf("%w: WithFunction(%q): %s is one of Casbin's built-in functions, which Casbin's AddFunction never replaces", ErrInvalidOption, name, name)
	}
	return nil
}

// fail records an option's error for New (or LoadModel) to return.
func (o *options) fail(err error) { o.err = errors.Join(o.err, err) }

// checkFunctions checks the registered functions against m: a function
// named like a role definition would be shadowed by it.
func (o *options) checkFunctions(m model.Model) error {
	for _, name := range o.funcOrder {
		if _, ok := m["g"][name]; ok {
			return fmt.Errorf("%w: WithFunction(%q): %s is a role definition of the model, which shadows it", ErrInvalidOption, name, name)
		}
	}
	for _, rf := range o.roleFuncs {
		a, ok := m["g"][rf.ptype]
		switch {
		case !ok:
			return fmt.Errorf("%w: %s: the model has no role definition %s", ErrInvalidOption, rf.option(), rf.ptype)
		case rf.domain && len(a.Tokens) != 3:
			return fmt.Errorf("%w: %s: role definition %s has no domain (%s = _, _, _)", ErrInvalidOption, rf.option(), rf.ptype, rf.ptype)
		case !rf.domain && conditional(a):
			// Casbin's AddNamedMatchingFunc does nothing for one.
			return fmt.Errorf("%w: %s: role definition %s is conditional, and Casbin reads no name matching function for it", ErrInvalidOption, rf.option(), rf.ptype)
		}
	}
	return nil
}

// lintOptions are the model checks' options for o.
func (o *options) lintOptions() []modelcheck.ModelOption {
	var out []modelcheck.ModelOption
	if o.requestEvalUnsafe {
		out = append(out, modelcheck.AllowRequestEval())
	}
	if len(o.funcOrder) > 0 {
		out = append(out, modelcheck.KnownFunctions(o.funcOrder...))
	}
	return out
}

// register gives the embedded Casbin enforcer the functions Warden's own
// evaluation calls.
func (o *options) register(ce *casbin.Enforcer) error {
	for _, name := range o.funcOrder {
		ce.AddFunction(name, o.funcs[name])
	}
	if len(o.roleFuncs) == 0 {
		return nil
	}
	for _, rf := range o.roleFuncs {
		if rf.domain {
			ce.AddNamedDomainMatchingFunc(rf.ptype, rf.name, rf.mf.fn)
		} else {
			ce.AddNamedMatchingFunc(rf.ptype, rf.name, rf.mf.fn)
		}
	}
	// The links as the functions read them.
	return ce.BuildRoleLinks()
}

// callFunction calls a registered function from a compiled term: the result
// must be a bool, as govaluate requires of an operand of &&, || and !.
func callFunction(name string, fn MatcherFunction, args []any) (bool, error) {
	res, err := fn(args...)
	if err != nil {
		return false, err
	}
	b, ok := res.(bool)
	if !ok {
		return false, fmt.Errorf("%s returned %T, not a bool", name, res)
	}
	return b, nil
}
