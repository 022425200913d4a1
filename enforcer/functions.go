package enforcer

import (
	"errors"
	"fmt"
	"regexp"
	"slices"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/govaluate"

	"github.com/wardenhq/warden/internal/modelcheck"
)

// Functions registered in code: matcher functions (WithFunction, Casbin's
// AddFunction). A model that calls one is refused by LoadModel, ParseModel
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
func (o *options) register(ce *casbin.Enforcer) {
	for _, name := range o.funcOrder {
		ce.AddFunction(name, o.funcs[name])
	}
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
