package enforcer

import "strings"

// Rule is one Casbin policy line: its ptype ("p", "p2", "g", "g2"...) and its
// values in the order of the model's definition for that ptype.
type Rule struct {
	PType  string
	Values []string
}

// P returns a rule of ptype "p".
func P(values ...string) Rule { return Rule{PType: "p", Values: values} }

// G returns a rule of ptype "g".
func G(values ...string) Rule { return Rule{PType: "g", Values: values} }

// IsZero reports whether r is the zero Rule, which decisions use for "no rule".
func (r Rule) IsZero() bool { return r.PType == "" && len(r.Values) == 0 }

// String formats r as a policy.csv line: "p, alice, data1, read".
func (r Rule) String() string {
	if r.IsZero() {
		return ""
	}
	return r.PType + ", " + strings.Join(r.Values, ", ")
}

// section returns the model section of the rule's ptype: "p" or "g".
func (r Rule) section() string {
	if strings.HasPrefix(r.PType, "g") {
		return "g"
	}
	return "p"
}
