package enforcer

import "context"

// Effect says what decided a Decision. It keeps apart the two ways of being
// denied: no rule allowed the request, or a rule denied it.
type Effect uint8

const (
	// EffectNone means no rule decided: the request is denied by default
	// (or, under a "deny unless a deny rule matches" model, allowed by default).
	EffectNone Effect = iota
	// EffectAllow means an allow rule decided.
	EffectAllow
	// EffectDeny means a deny rule decided.
	EffectDeny
)

// String returns "none", "allow" or "deny".
func (e Effect) String() string {
	switch e {
	case EffectAllow:
		return "allow"
	case EffectDeny:
		return "deny"
	default:
		return "none"
	}
}

// Request is one question to the enforcer: the model's request fields in
// order, plus data that counts for this decision only.
type Request struct {
	// Values are the request fields in the order of the model's
	// request_definition, for example "alice", "/posts", "GET". A value may
	// be a map[string]any or a struct for attribute-based models.
	Values []any
	// Groups are request-scoped roles of the subject (Values[0]), for
	// example from the caller's token. They count as g links from the
	// subject for this decision only and never touch shared state.
	Groups []string
	// Policies are request-scoped rules (for example the caller's
	// permissions from a token) for this decision only, of the ptype the
	// Definition chooses: "p" unless it chooses another.
	Policies [][]string
	// Definition chooses which of the model's request, policy, effect and
	// matcher definitions decide, for a model with several (r2, p2, e2,
	// m2), as Casbin's EnforceContext does. The zero value is r, p, e, m.
	Definition Definition
}

// Definition names the request, policy, effect and matcher definitions
// (R "r2", P "p2", E "e", M "m2") that decide one Request; it is Casbin's
// EnforceContext. An empty field means the default of its section (r, p,
// e or m), so the zero Definition is the model's default one. Names the
// model does not define are refused with ErrInvalidRequest; so, on the
// index, is a choice whose matcher reads fields of another request or
// policy definition than the ones chosen, on which Casbin's evaluation
// fails too.
type Definition struct {
	R, P, E, M string
}

// Definitions returns the Definition of one suffix: Definitions("2") is
// r2, p2, e2, m2, as casbin.NewEnforceContext("2"). A model without an
// e2 keeps e: Definition{R: "r2", P: "p2", M: "m2"}.
func Definitions(suffix string) Definition {
	return Definition{R: "r" + suffix, P: "p" + suffix, E: "e" + suffix, M: "m" + suffix}
}

// defaultDefinition is r, p, e, m: the zero Definition's choice.
var defaultDefinition = Definition{R: "r", P: "p", E: "e", M: "m"}

// isZero reports whether d is the zero Definition, comparing the lengths
// only: a decision that chooses nothing pays no more.
func (d Definition) isZero() bool { return d.R == "" && d.P == "" && d.E == "" && d.M == "" }

// orDefault fills the empty fields with the defaults.
func (d Definition) orDefault() Definition {
	// Field by field: a loop over their addresses would move d to the
	// heap, once per decision.
	if d.R == "" {
		d.R = "r"
	}
	if d.P == "" {
		d.P = "p"
	}
	if d.E == "" {
		d.E = "e"
	}
	if d.M == "" {
		d.M = "m"
	}
	return d
}

// String returns the names, defaults filled in: "{r2, p2, e, m2}".
func (d Definition) String() string {
	d = d.orDefault()
	return "{" + d.R + ", " + d.P + ", " + d.E + ", " + d.M + "}"
}

// NewRequest returns a Request for the given request fields.
func NewRequest(values ...any) Request { return Request{Values: values} }

// WithGroups returns a copy of r with request-scoped groups added.
func (r Request) WithGroups(groups ...string) Request {
	r.Groups = append(append([]string(nil), r.Groups...), groups...)
	return r
}

// Decision is the answer to a Request.
type Decision struct {
	// Allowed is the answer. It is false whenever an error is returned.
	Allowed bool
	// Effect says whether an allow rule, a deny rule or no rule decided.
	Effect Effect
	// Rule is the rule that decided, or the zero Rule when none did.
	Rule Rule
}

// Explanation is a Decision with the role chain that led to its rule.
type Explanation struct {
	Decision
	// Chain is the path of g links from the subject to the subject of Rule,
	// both ends included (alice, editor, viewer). It is empty when no rule
	// decided, or when the matcher has no role term.
	Chain []string
	// Links are the g rules that give each link of Chain, in order: for a
	// conditional role definition with the parameters its condition held
	// on (the rule added last, when several give one link), for a domain
	// pattern the rule's pattern domain. A link a request-scoped group
	// gives is shown as the rule it stands for. Empty with Chain.
	Links []Rule
}

// Decider answers one question. It is the one method middleware and
// services need; *Enforcer implements it.
type Decider interface {
	Decide(ctx context.Context, req Request) (Decision, error)
}
