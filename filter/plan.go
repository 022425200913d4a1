package filter

import (
	"errors"
	"slices"
	"strconv"
	"strings"
)

// ErrUnsupported is returned (wrapped, naming the construct) by planners
// and translators for a construct they cannot express exactly. A plan is
// never made wider than the decision to get around it.
var ErrUnsupported = errors.New("filter: unsupported")

// Kind is what a plan says about the open field.
type Kind uint8

const (
	// AlwaysDenied means no value of the open field is allowed. It is the
	// zero Kind, so that a zero Plan denies.
	AlwaysDenied Kind = iota
	// AlwaysAllowed means every value of the open field is allowed.
	AlwaysAllowed
	// Conditional means the values for which Plan.Cond holds are allowed.
	Conditional
)

// String returns "always_denied", "always_allowed" or "conditional".
func (k Kind) String() string {
	switch k {
	case AlwaysAllowed:
		return "always_allowed"
	case Conditional:
		return "conditional"
	default:
		return "always_denied"
	}
}

// Plan is the set of allowed values of a request's open field.
type Plan struct {
	Kind Kind
	// Cond is set when Kind is Conditional.
	Cond *Cond
}

// Op is the operator of a condition.
type Op uint8

// The operators. And, Or and Not combine Kids; the others test Field.
const (
	OpAnd    Op = iota + 1 // every kid holds
	OpOr                   // some kid holds
	OpNot                  // the one kid does not hold
	OpEq                   // Field equals Values[0]
	OpIn                   // Field equals one of Values
	OpPrefix               // Field starts with Values[0]
	OpRegex                // Regex matches Field (cut at Before, if set)
	OpMaxLen               // Field is at most Max bytes long
)

// Cond is a condition over named fields. A field is the request token as
// the matcher names it without "r.": "obj", or "obj.Owner" for an
// attribute of the object.
type Cond struct {
	Op     Op
	Kids   []*Cond
	Field  string
	Values []string
	// Regex is a Go regular expression (package regexp syntax): the field
	// matches when regexp.MustCompile(Regex).MatchString(value) holds. It
	// is the very expression the decision compiles (keyMatch2's, say).
	Regex string
	// Before, when not empty, means the regex is matched against the part
	// of the value before the first occurrence of Before (keyMatch5 ignores
	// a query string this way); a value without Before is used whole.
	Before string
	// Max is the bound of OpMaxLen, in bytes.
	Max int
	// Source names the matcher construct the condition came from, such as
	// "keyMatch2(r.obj, p.obj)", for messages.
	Source string
}

// And returns the conjunction of cs.
func And(cs ...*Cond) *Cond { return &Cond{Op: OpAnd, Kids: cs} }

// Or returns the disjunction of cs.
func Or(cs ...*Cond) *Cond { return &Cond{Op: OpOr, Kids: cs} }

// Not returns the negation of c.
func Not(c *Cond) *Cond { return &Cond{Op: OpNot, Kids: []*Cond{c}} }

// Eq is field == value.
func Eq(field, value string) *Cond { return &Cond{Op: OpEq, Field: field, Values: []string{value}} }

// In is field equal to one of values.
func In(field string, values ...string) *Cond {
	return &Cond{Op: OpIn, Field: field, Values: slices.Clone(values)}
}

// Prefix is field starting with prefix (byte-wise).
func Prefix(field, prefix string) *Cond {
	return &Cond{Op: OpPrefix, Field: field, Values: []string{prefix}}
}

// Regex is field matched by the Go regular expression re.
func Regex(field, re string) *Cond { return &Cond{Op: OpRegex, Field: field, Regex: re} }

// MaxLen is len(field) <= n, in bytes: the decision refuses longer
// request values.
func MaxLen(field string, n int) *Cond { return &Cond{Op: OpMaxLen, Field: field, Max: n} }

// Fields returns the fields c tests, sorted, each once.
func (c *Cond) Fields() []string {
	var out []string
	var walk func(*Cond)
	walk = func(c *Cond) {
		if c == nil {
			return
		}
		if c.Field != "" {
			out = append(out, c.Field)
		}
		for _, k := range c.Kids {
			walk(k)
		}
	}
	walk(c)
	slices.Sort(out)
	return slices.Compact(out)
}

// String renders c for messages and tests, for example
// (obj = "a" OR obj ~ "^/x/[^/]+$") AND NOT obj IN ("b").
func (c *Cond) String() string {
	if c == nil {
		return "<nil>"
	}
	q := strconv.Quote
	switch c.Op {
	case OpAnd, OpOr:
		sep := " AND "
		if c.Op == OpOr {
			sep = " OR "
		}
		parts := make([]string, len(c.Kids))
		for i, k := range c.Kids {
			parts[i] = k.String()
		}
		return "(" + strings.Join(parts, sep) + ")"
	case OpNot:
		return "NOT " + c.Kids[0].String()
	case OpEq:
		return c.Field + " = " + q(c.Values[0])
	case OpIn:
		parts := make([]string, len(c.Values))
		for i, v := range c.Values {
			parts[i] = q(v)
		}
		return c.Field + " IN (" + strings.Join(parts, ", ") + ")"
	case OpPrefix:
		return c.Field + " STARTS WITH " + q(c.Values[0])
	case OpMaxLen:
		return "LENGTH(" + c.Field + ") <= " + strconv.Itoa(c.Max)
	case OpRegex:
		s := c.Field + " ~ " + q(c.Regex)
		if c.Before != "" {
			s += " BEFORE " + q(c.Before)
		}
		return s
	}
	return "?"
}
