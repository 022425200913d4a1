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
	// Policies are request-scoped rules of ptype "p" (for example the
	// caller's permissions from a token) for this decision only.
	Policies [][]string
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
