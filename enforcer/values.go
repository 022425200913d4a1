package enforcer

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/casbin/casbin/v2/model"

	"github.com/wardenhq/warden/internal/csvpolicy"
	"github.com/wardenhq/warden/internal/modelcheck"
)

// Rule values are checked on every way into the policy (AddRules,
// ApplyAdded, New and Reload, whatever the adapter) against the matcher
// function that will read them, so that one bad value cannot make every
// decision fail; request values are bounded so that one decision's work
// is. The checks themselves live in internal/modelcheck, which `warden
// lint` runs too (package lint).

// Limits bound the work one rule or request value can cause at decision
// time: RuleValue (bytes of any rule value, default 1024), Pattern (bytes
// of a value read as a pattern, 256), PatternProgram (instructions of the
// regular expression a pattern compiles to, 128) and RequestValue (bytes
// of a string request value, 4096). It is the same type as lint.Limits.
type Limits = modelcheck.Limits

// WithLimits sets the limits on rule and request values. Zero fields keep
// their defaults (lint.DefaultLimits).
func WithLimits(l Limits) Option { return func(o *options) { o.limits = l } }

// WithRequestEvalUnsafe accepts a model whose matcher calls eval() on
// request data, such as eval(r.obj). With such a model whoever writes the
// request writes the rule: a request carrying `p.sub == "bob" || true` is
// allowed. Use it only when every request value is built by trusted code,
// never from a caller's input. Without it, New, LoadModel and ParseModel
// refuse such a model with ErrInvalidModel. New refuses it with
// ErrUnsupported where Casbin's own enforcer would decide: Casbin's eval()
// recurses without bound on a request whose text evaluates itself.
func WithRequestEvalUnsafe() Option { return func(o *options) { o.requestEvalUnsafe = true } }

// WithDeferredEvalErrors stores a rule whose eval() value govaluate cannot
// compile at all, such as the "r.obj.category_id = 2" of Casbin's
// object_conditions example (SQL-like text meant for a filter, with "="
// for "=="), where Warden otherwise refuses it when it is written, naming
// the file, line and field. Casbin stores such a rule and fails each
// decision that reaches it; with this option Warden does the same: a
// decision whose candidates include the rule fails with ErrEvaluation and
// denies. A text that cannot be compiled is never evaluated, so it cannot
// grant. Every other check of eval() values (the fields it reads, the
// functions it calls and their arguments, nested eval(), request fields as
// patterns, the limits) still refuses when the rule is written, and
// `warden lint` still reports the text.
func WithDeferredEvalErrors() Option { return func(o *options) { o.deferEvalErrors = true } }

// RuleError is a rule value the model cannot use: one that the function
// reading it would fail or panic on at every decision, that is over a
// limit, or that holds characters which make the rule read differently
// from what it does. It matches ErrInvalidRule with errors.Is.
type RuleError struct {
	Rule   Rule
	Index  int    // position of the value in Rule.Values
	Field  string // its name in the model: "obj"; "member", "role", "domain", "param1"... for role links (Enforcer.FieldNames)
	Reason string
}

// Error implements error.
func (e *RuleError) Error() string {
	return fmt.Sprintf("%v: %s value %d: field %s: %s", ErrInvalidRule, e.Rule.PType, e.Index+1, e.Field, e.Reason)
}

// Unwrap makes errors.Is(err, ErrInvalidRule) hold.
func (e *RuleError) Unwrap() error { return ErrInvalidRule }

// CheckRule reports whether r could be added to the policy: its ptype is
// defined, it has the model's number of values, and every value is one the
// functions reading it accept (a *RuleError otherwise). It changes nothing.
func (e *Enforcer) CheckRule(r Rule) error {
	defer e.mu.runlock(e.mu.rlock())
	if err := e.validate(r); err != nil {
		return err
	}
	return e.checkValues(r)
}

// setupValues prepares the checks of New: it refuses a model that lets the
// request decide or whose matcher passes a literal pattern its function
// cannot read, and analyses which functions read which fields.
func (e *Enforcer) setupValues() error {
	if args := modelcheck.RequestEval(e.model); len(args) > 0 && !e.opts.requestEvalUnsafe {
		return fmt.Errorf("%w: the matcher calls eval(%s) on request data, so the request decides what it may do (see WithRequestEvalUnsafe)",
			ErrInvalidModel, args[0])
	}
	if args := modelcheck.UncheckedEval(e.model); len(args) > 0 {
		return fmt.Errorf("%w: the matcher calls eval(%s): the rule values it reads are checked only when eval()'s argument is a policy field or a concatenation of fields and literals",
			ErrInvalidModel, args[0])
	}
	for _, key := range sortedKeys(e.model["m"]) {
		if probs := modelcheck.LiteralProblems(e.model["m"][key].Value); len(probs) > 0 {
			return fmt.Errorf("%w: matcher %s: %s", ErrInvalidModel, key, probs[0])
		}
	}
	e.values = modelcheck.NewValueCheckerWith(e.model, e.opts.limits,
		modelcheck.CheckerOptions{Functions: e.opts.funcs, DeferEvalErrors: e.opts.deferEvalErrors})
	e.reqPatternsOf = make(map[string][]bool, len(e.model["r"]))
	for rtype, r := range e.model["r"] {
		e.reqPatternsOf[rtype] = make([]bool, len(r.Tokens))
		for i := range r.Tokens {
			e.reqPatternsOf[rtype][i] = e.values.RequestUses(rtype, i)
		}
	}
	e.reqPatterns = e.reqPatternsOf["r"]
	e.defNames = definitionNames(e.model)
	e.maxRequest = e.values.Limits().RequestValue
	return nil
}

func (e *Enforcer) checkValues(r Rule) error { return e.checkValuesWith(nil, r) }

// checkValuesWith is checkValues reading eval() texts through memo (nil
// for none).
func (e *Enforcer) checkValuesWith(memo *modelcheck.EvalMemo, r Rule) error {
	var ve *modelcheck.ValueError
	if err := e.values.CheckWith(memo, r.PType, r.Values); errors.As(err, &ve) {
		return &RuleError{Rule: Rule{PType: r.PType, Values: r.Values}, Index: ve.Index, Field: ve.Field, Reason: ve.Reason}
	}
	return nil
}

// checkLoaded checks every rule an adapter loaded into m. A rule from a
// policy file is reported as FILE:LINE. A rule that old (the state in
// force, or nil) holds is not checked again: it passed these same checks
// on its way in, and checking a pattern compiles it, which costs a reload
// of a large policy more than everything else together.
func (e *Enforcer) checkLoaded(m model.Model, old engine) error {
	// The load's rules are stored rules: each distinct eval() text is
	// read once for them all.
	memo := modelcheck.NewEvalMemo()
	for _, sec := range []string{"p", "g"} {
		for _, ptype := range sortedKeys(m[sec]) {
			for _, vals := range m[sec][ptype].Policy {
				if old != nil && old.has(ptype, vals) {
					continue
				}
				err := e.checkValuesWith(memo, Rule{PType: ptype, Values: vals})
				if err == nil {
					continue
				}
				if a, ok := e.adapter.(*csvpolicy.Adapter); ok {
					if n := a.Line(ptype, vals); n > 0 {
						return fmt.Errorf("%s:%d: %w", a.Path(), n, err)
					}
				}
				return err
			}
		}
	}
	return nil
}

func sortedKeys(am model.AssertionMap) []string {
	out := make([]string, 0, len(am))
	for k := range am {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// checkRequest bounds a request before any matcher sees it: string values
// over the size limit, values the matcher reads as patterns that are
// malformed or too costly, and request-scoped rules that the policy could
// not hold are refused with ErrInvalidRequest naming the field.
func (e *Enforcer) checkRequest(req Request) error {
	def, patterns := defaultDefinition, e.reqPatterns
	if !req.Definition.isZero() {
		if err := e.checkDefinition(req.Definition); err != nil {
			return err
		}
		def = req.Definition.orDefault()
		patterns = e.reqPatternsOf[def.R]
	}
	for i, v := range req.Values {
		s, ok := v.(string)
		if !ok {
			// An attribute (r.obj.Path) is read as a string by the
			// same functions: it is bounded as a string value is.
			if name, n := longValue(v, e.maxRequest, 0); n > 0 {
				return fmt.Errorf("%w: field %s%s: %d bytes, over the limit of %d for a request value",
					ErrInvalidRequest, e.requestField(def.R, i), name, n, e.maxRequest)
			}
			continue
		}
		if len(s) <= e.maxRequest && (i >= len(patterns) || !patterns[i]) {
			continue
		}
		if err := e.values.CheckRequest(def.R, i, s); err != nil {
			return fmt.Errorf("%w: %v", ErrInvalidRequest, err)
		}
	}
	for i, g := range req.Groups {
		if len(g) > e.maxRequest {
			return fmt.Errorf("%w: group %d: %d bytes, over the limit of %d for a request value", ErrInvalidRequest, i, len(g), e.maxRequest)
		}
	}
	for i, p := range req.Policies {
		if err := e.checkValues(Rule{PType: def.P, Values: p}); err != nil {
			var re *RuleError
			errors.As(err, &re)
			return fmt.Errorf("%w: request policy %d: field %s: %s", ErrInvalidRequest, i, re.Field, re.Reason)
		}
	}
	return nil
}

// maxAttributeDepth bounds how deep longAttribute looks into a request
// value (a struct of maps of structs…), which also ends a cycle.
const maxAttributeDepth = 8

// longValue is longAttribute of reflect.ValueOf(v), with the values a
// decoded JSON object holds read without reflect (as reflect reaches a map
// entry, through its interface, two levels down).
func longValue(v any, limit, depth int) (path string, n int) {
	if depth > maxAttributeDepth {
		return "", 0
	}
	switch x := v.(type) {
	case string:
		if len(x) > limit {
			return "", len(x)
		}
		return "", 0
	case nil, bool, int, int64, float64:
		return "", 0
	case map[string]any:
		for k, e := range x {
			if p, n := longValue(e, limit, depth+2); n > 0 {
				return fmt.Sprintf("[%q]", k) + p, n
			}
		}
		return "", 0
	case []any:
		for i, e := range x {
			if p, n := longValue(e, limit, depth+2); n > 0 {
				return fmt.Sprintf("[%d]%s", i, p), n
			}
		}
		return "", 0
	}
	return longAttribute(reflect.ValueOf(v), limit, depth)
}

// longAttribute finds a string inside v (a struct field, a map entry, a
// slice element, through pointers and interfaces) longer than limit bytes.
// It returns its path (".Path", `["tags"][2]`) and length, or n == 0.
func longAttribute(v reflect.Value, limit, depth int) (path string, n int) {
	if depth > maxAttributeDepth {
		return "", 0
	}
	switch v.Kind() {
	case reflect.String:
		if v.Len() > limit {
			return "", v.Len()
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return longAttribute(v.Elem(), limit, depth+1)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range v.NumField() {
			if !t.Field(i).IsExported() {
				continue // govaluate reads exported fields only
			}
			if p, n := longAttribute(v.Field(i), limit, depth+1); n > 0 {
				return "." + t.Field(i).Name + p, n
			}
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			if p, n := longAttribute(it.Value(), limit, depth+1); n > 0 {
				return fmt.Sprintf("[%q]", fmt.Sprint(it.Key().Interface())) + p, n
			}
		}
	case reflect.Slice, reflect.Array:
		if k := v.Type().Elem().Kind(); k != reflect.String && k != reflect.Interface && k != reflect.Pointer &&
			k != reflect.Struct && k != reflect.Map && k != reflect.Slice && k != reflect.Array {
			break // numbers and bytes hold no string
		}
		for i := range v.Len() {
			if p, n := longAttribute(v.Index(i), limit, depth+1); n > 0 {
				return fmt.Sprintf("[%d]%s", i, p), n
			}
		}
	}
	return "", 0
}

// requestField names field i of request definition rtype as the model
// does ("obj").
func (e *Enforcer) requestField(rtype string, i int) string {
	if r, ok := e.model["r"][rtype]; ok && i < len(r.Tokens) {
		return strings.TrimPrefix(r.Tokens[i], rtype+"_")
	}
	return fmt.Sprintf("%d", i)
}

// casbinError keeps the first line of an error from Casbin's enforcer: it
// appends a goroutine stack trace to a recovered panic, and neither the
// stack nor its addresses belong in an error a caller may print.
func casbinError(err error) error {
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return fmt.Errorf("%w: %s", ErrEvaluation, printable(msg))
}
