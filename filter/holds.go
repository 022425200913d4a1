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
// mapped column is never returned.
func (p Plan) Holds(value func(field string) (v string, ok bool)) (bool, error) {
	switch p.Kind {
	case AlwaysAllowed:
		return true, nil
	case Conditional:
	default:
		return false, nil
	}
	if p.Cond == nil {
		return false, fmt.Errorf("%w: conditional plan without a condition", ErrUnsupported)
	}
	vals := map[string]string{}
	for _, f := range p.Cond.Fields() {
		v, ok := value(f)
		if !ok {
			return false, nil
		}
		vals[f] = v
	}
	return p.Cond.holds(vals)
}

func (c *Cond) holds(vals map[string]string) (bool, error) {
	switch c.Op {
	case OpAnd, OpOr:
		for _, k := range c.Kids {
			ok, err := k.holds(vals)
			if err != nil {
				return false, err
			}
			if ok == (c.Op == OpOr) {
				return ok, nil
			}
		}
		return c.Op == OpAnd, nil
	case OpNot:
		ok, err := c.Kids[0].holds(vals)
		return !ok && err == nil, err
	case OpEq:
		return vals[c.Field] == c.Values[0], nil
	case OpIn:
		return slices.Contains(c.Values, vals[c.Field]), nil
	case OpPrefix:
		return strings.HasPrefix(vals[c.Field], c.Values[0]), nil
	case OpMaxLen:
		return len(vals[c.Field]) <= c.Max, nil
	case OpRegex:
		re, err := regexp.Compile(c.Regex)
		if err != nil {
			return false, err
		}
		v := vals[c.Field]
		if c.Before != "" {
			v, _, _ = strings.Cut(v, c.Before)
		}
		return re.MatchString(v), nil
	}
	return false, fmt.Errorf("%w: operator %d", ErrUnsupported, c.Op)
}
