package enforcer

import "strings"

// Has reports whether the policy holds the rule of ptype with exactly these
// values. It reads memory only, at the cost of one map lookup, where
// scanning Rules would copy every rule of ptype: callers that ask about a
// few rules (what a change will do, what it did) ask Has.
func (e *Enforcer) Has(ptype string, values []string) bool {
	defer e.mu.runlock(e.mu.rlock())
	return e.eng.has(ptype, values)
}

func (c *casbinEngine) has(ptype string, values []string) bool {
	// Casbin's HasPolicy dereferences the definition without looking, so
	// an undefined ptype is answered here.
	sec := Rule{PType: ptype}.section()
	a, ok := c.ce.GetModel()[sec][ptype]
	if !ok || ptype == "" || len(values) != ruleWidth(a) {
		return false
	}
	ok, _ = c.ce.GetModel().HasPolicy(sec, ptype, values)
	return ok
}

// Len returns how many rules of ptype the policy holds, 0 for a ptype the
// model does not define, without copying them as Rules does.
func (e *Enforcer) Len(ptype string) int {
	defer e.mu.runlock(e.mu.rlock())
	return e.eng.count(ptype)
}

func (st *state) count(ptype string) int { return st.rules[ptype].len() }

func (c *casbinEngine) count(ptype string) int {
	if a, ok := c.ce.GetModel()[Rule{PType: ptype}.section()][ptype]; ok && ptype != "" {
		return len(a.Policy)
	}
	return 0
}

// FieldNames returns the names that a RuleError's Field gives the fields
// of ptype's rules, for messages that name a field: a policy definition's
// field names ("sub", "obj", "act"); for a role definition "member",
// "role", "domain" (only when it has three names: g = _, _, _), then
// "param1", "param2"... for the parameters of a conditional one
// (g = _, _, (_, _) is member, role, param1, param2). It returns nil when
// the model does not define ptype as a policy or role definition.
func (e *Enforcer) FieldNames(ptype string) []string {
	if ptype == "" || (ptype[0] != 'p' && ptype[0] != 'g') {
		return nil
	}
	return e.values.FieldNames(ptype)
}

// Fields returns the field names of one definition of the model, without
// the model's key prefix: "sub", "obj", "act" for the request "r = sub,
// obj, act" (ptype "r") or a policy definition "p = sub, obj, act"; "_"
// for each field of a role definition "g = _, _", and for each parameter
// of a conditional one ("g = _, _, (_, _)": four). It returns nil when the
// model does not define ptype. Unlike Model, it copies only these names,
// so a handler may ask it on every request.
func (e *Enforcer) Fields(ptype string) []string {
	sec := "p"
	switch {
	case ptype == "":
		return nil
	case ptype[0] == 'r', ptype[0] == 'g':
		sec = ptype[:1]
	}
	// e.model holds definitions only and is never changed after New.
	a, ok := e.model[sec][ptype]
	if !ok {
		return nil
	}
	out := make([]string, 0, ruleWidth(a))
	for _, t := range a.Tokens {
		out = append(out, strings.TrimPrefix(strings.TrimSpace(t), ptype+"_"))
	}
	// A conditional role definition's parameters are fields of its rules.
	for _, t := range a.ParamsTokens {
		out = append(out, strings.TrimSpace(t))
	}
	return out
}
