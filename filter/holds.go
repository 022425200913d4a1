package filter

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Holds evaluates the plan for one object in Go: value returns a field's
// value, and ok false for a missing (NULL) one. It is the reference a
// translation is tested against: a conditional plan never holds for an
// object missing a field the condition tests, as a SQL row with NULL in a
// mapped column is never returned. To evaluate one plan on many objects,
// Compile it once.
func (p Plan) Holds(value func(field string) (v string, ok bool)) (bool, error) {
	m, err := p.Compile()
	if err != nil {
		return false, err
	}
	return m(value), nil
}

// Compile returns Holds for p with its regular expressions compiled once.
func (p Plan) Compile() (func(value func(field string) (string, bool)) bool, error) {
	switch p.Kind {
	case AlwaysAllowed:
		return func(func(string) (string, bool)) bool { return true }, nil
	case Conditional:
	default:
		return func(func(string) (string, bool)) bool { return false }, nil
	}
	if p.Cond == nil {
		return nil, fmt.Errorf("%w: conditional plan without a condition", ErrUnsupported)
	}
	res := map[*Cond]*regexp.Regexp{}
	var compile func(*Cond) error
	compile = func(c *Cond) error {
		if c.Op == OpRegex {
			re, err := regexp.Compile(c.Regex)
			if err != nil {
				return err
			}
			res[c] = re
		}
		for _, k := range c.Kids {
			if err := compile(k); err != nil {
				return err
			}
		}
		return nil
	}
	if err := compile(p.Cond); err != nil {
		return nil, err
	}
	fields := p.Cond.Fields()
	return func(value func(string) (string, bool)) bool {
		vals := make(map[string]string, len(fields))
		for _, f := range fields {
			v, ok := value(f)
			if !ok {
				return false
			}
			vals[f] = v
		}
		return p.Cond.holds(vals, res)
	}, nil
}

func (c *Cond) holds(vals map[string]string, res map[*Cond]*regexp.Regexp) bool {
	switch c.Op {
	case OpAnd, OpOr:
		for _, k := range c.Kids {
			if k.holds(vals, res) == (c.Op == OpOr) {
				return c.Op == OpOr
			}
		}
		return c.Op == OpAnd
	case OpNot:
		return !c.Kids[0].holds(vals, res)
	case OpEq:
		return vals[c.Field] == c.Values[0]
	case OpIn:
		return slices.Contains(c.Values, vals[c.Field])
	case OpPrefix:
		return strings.HasPrefix(vals[c.Field], c.Values[0])
	case OpMaxLen:
		return len(vals[c.Field]) <= c.Max
	case OpRegex:
		v := vals[c.Field]
		if c.Before != "" {
			v, _, _ = strings.Cut(v, c.Before)
		}
		return res[c].MatchString(v)
	}
	return false
}
