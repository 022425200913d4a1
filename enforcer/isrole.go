package enforcer

import "context"

// IsRole reports whether name is a role of the shared policy: the role (the
// second value) of some rule of a g type, in any domain. Users and roles
// share Casbin's namespace, so a caller whose identity is a role's name
// holds the role's rules without being granted it (sub "admin" is the
// admin role); package middleware asks IsRole and refuses such identities.
// It reads memory only, at the cost of one map lookup on the fast path.
func (e *Enforcer) IsRole(ctx context.Context, name string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	defer e.mu.runlock(e.mu.rlock())
	return e.eng.isRole(name), nil
}

func (st *state) isRole(name string) bool { return st.roles[name] > 0 }

// isRole scans Casbin's g rules: its enforcer keeps no count of roles.
func (c *casbinEngine) isRole(name string) bool {
	for _, a := range c.ce.GetModel()["g"] {
		for _, v := range a.Policy {
			if len(v) > 1 && v[1] == name {
				return true
			}
		}
	}
	return false
}
