package policyadmin

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"

	"github.com/wardenhq/warden/adapters/rulelog"
	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/enforcer"
)

// ErrLockout is matched by the error of Apply for an admin-scope change
// that would leave no identity of the admin policy holding warden:admin.
// Nobody could manage Warden through the API any more, and a restart would
// not help: the admin policy is seeded only when its table is empty.
var ErrLockout = errors.New("policyadmin: the change would leave no identity with " + PermAdmin)

// LockoutError is the error of a change refused with ErrLockout. Index is
// that of the first rule of Change.Rules after which nobody would hold
// warden:admin.
type LockoutError struct {
	Action string
	Index  int
	Rule   enforcer.Rule
}

// Error names the change and why it was refused.
func (e *LockoutError) Error() string {
	verb := map[string]string{audit.ActionGrant: "granting", audit.ActionRevoke: "revoking"}[e.Action]
	return fmt.Sprintf("%s %q would leave no identity of the admin policy with %s; give it to another user first",
		verb, e.Rule.String(), PermAdmin)
}

// Unwrap makes a LockoutError match ErrLockout.
func (e *LockoutError) Unwrap() error { return ErrLockout }

// keepsAnAdminInTx is keepsAnAdmin inside the write's transaction: before
// is what the store holds there, read under the head row's lock, with the
// write's own changes undone. No other writer of the store can change it
// until the commit, so the verdict holds for the policy that commits.
func keepsAnAdminInTx(ctx context.Context, admin *enforcer.Enforcer, w rulelog.Write, c Change) error {
	m := admin.Model() // definitions only
	if err := w.LoadPolicy(ctx, m); err != nil {
		return fmt.Errorf("policyadmin: read the admin policy inside the change: %w", err)
	}
	undo := audit.ActionGrant
	if c.Action != audit.ActionRevoke {
		undo = audit.ActionRevoke
	}
	return keepsAnAdmin(ctx, admin, finalState(enforcer.ModelRules(m), undo, w.Changed), c)
}

// keepsAnAdmin refuses with a *LockoutError a change c that would take the
// admin policy before, of admin's model, from some identity holding
// warden:admin to none. An identity is a name the policy uses as a subject
// (a p rule's subject, a g rule's member) that is not a role, or one of
// c.Admins (identities configured as administrators, counted even when
// they are also roles). A role is AdminRole or a name some g rule grants,
// before or after the change: a role emptied by the change stays a role,
// so revoking the last member of warden-admin is a lockout, not a handover
// to "warden-admin". A role never counts: holding warden:admin does no
// good if every user reaching it is denied, as "p, root-admin, *, deny"
// did to the users of root-admin. When no identity of the policy held
// warden:admin before the change (users get the admin role from their
// tokens' groups claims), a role counts after all, as the only subjects
// the policy knows to hold it; a policy where no subject held it is left
// to the change. An identity c.RefusedIdentity reports cannot
// authenticate and never counts, an admin included: the middleware refuses
// a token whose subject is a role of the served policy, so handing
// warden:admin to "admin" (a role there) and revoking the last user would
// leave nobody able to use it. Rules that do not fit the model are left to
// the enforcer, which refuses the whole change.
//
// It evaluates the policy on one scratch enforcer holding before, then the
// change; a refusal builds a second one to name the first rule at fault.
func keepsAnAdmin(ctx context.Context, admin *enforcer.Enforcer, before []enforcer.Rule, c Change) error {
	for _, r := range c.Rules {
		if !fits(admin, r) {
			return nil
		}
	}
	m := admin.Model()
	final := finalState(before, c.Action, c.Rules)
	roles := roleNames(before, final)
	for _, a := range c.Admins {
		delete(roles, a)
	}
	x, err := scratch(ctx, m, before)
	if err != nil {
		return err
	}
	refused := c.RefusedIdentity
	had, err := anyAdmin(ctx, x, before, roles, c.Admins, refused)
	if err != nil {
		return err
	}
	if !had {
		// No user of the policy holds warden:admin: users reach it through
		// their tokens' groups claims, which name roles. Then some
		// subject, a role included, must keep it.
		roles, refused = nil, nil
		if had, err = anyAdmin(ctx, x, before, roles, c.Admins, nil); err != nil || !had {
			return err
		}
	}
	if err := change(x, c.Action, c.Rules); err != nil {
		return err
	}
	if ok, err := anyAdmin(ctx, x, final, roles, c.Admins, refused); err != nil || ok {
		return err
	}
	// Refused: name the first rule after which nobody is left.
	if x, err = scratch(ctx, m, before); err != nil {
		return err
	}
	cur := before
	for i, r := range c.Rules {
		cur = finalState(cur, c.Action, c.Rules[i:i+1])
		if err := change(x, c.Action, c.Rules[i:i+1]); err != nil {
			return err
		}
		ok, err := anyAdmin(ctx, x, cur, roles, c.Admins, refused)
		if err != nil {
			return err
		}
		if !ok {
			return &LockoutError{Action: c.Action, Index: i, Rule: r}
		}
	}
	return &LockoutError{Action: c.Action, Index: len(c.Rules) - 1, Rule: c.Rules[len(c.Rules)-1]}
}

// fits reports whether r is a rule of a p or g definition of e's model
// with as many values as it defines.
func fits(e *enforcer.Enforcer, r enforcer.Rule) bool {
	if r.PType == "" || (r.PType[0] != 'p' && r.PType[0] != 'g') {
		return false
	}
	f := e.Fields(r.PType)
	return f != nil && len(f) == len(r.Values)
}

// scratch returns an enforcer of model m holding rules only, for judging
// a policy that is not in force.
func scratch(ctx context.Context, m model.Model, rules []enforcer.Rule) (*enforcer.Enforcer, error) {
	x, err := enforcer.New(ctx, m, memPolicy(rules))
	if err != nil {
		return nil, fmt.Errorf("policyadmin: evaluate the admin policy after the change: %w", err)
	}
	return x, nil
}

// change makes a grant or a revoke of rules on the scratch enforcer x.
func change(x *enforcer.Enforcer, action string, rules []enforcer.Rule) error {
	var err error
	if action == audit.ActionRevoke {
		_, err = x.ApplyRemoved(rules...)
	} else {
		_, err = x.ApplyAdded(rules...)
	}
	if err != nil {
		return fmt.Errorf("policyadmin: evaluate the admin policy after the change: %w", err)
	}
	return nil
}

// keepsAdminIdentities refuses with a *LockoutError a grant of rules in
// the served policy after which no identity of the admin policy admin that
// can authenticate holds warden:admin: every role a g rule of rules names
// becomes a name the middleware refuses as a subject (see
// Change.AdminPolicy). A policy where no such identity held it before is
// left to the change, as keepsAnAdmin leaves it. The admin policy does not
// change, so it is asked directly: no enforcer is built.
func keepsAdminIdentities(ctx context.Context, admin *enforcer.Enforcer, rules []enforcer.Rule, admins []string, refused func(context.Context, string) (bool, error)) error {
	if !slices.ContainsFunc(rules, func(r enforcer.Rule) bool { return r.PType[0] == 'g' && len(r.Values) >= 2 }) {
		return nil
	}
	if admin.SyncStatus().Logged {
		// Judge on the store's latest admin policy, as keepsAnAdmin does.
		if err := admin.CatchUp(ctx); err != nil {
			return err
		}
	}
	held := AllRules(admin)
	roles := roleNames(held)
	for _, a := range admins {
		delete(roles, a)
	}
	had, err := anyAdmin(ctx, admin, held, roles, admins, refused)
	if err != nil || !had {
		return err
	}
	granted := map[string]bool{}
	after := func(ctx context.Context, id string) (bool, error) {
		if granted[id] {
			return true, nil
		}
		if refused == nil {
			return false, nil
		}
		return refused(ctx, id)
	}
	for i, r := range rules {
		if r.PType[0] != 'g' || len(r.Values) < 2 {
			continue
		}
		granted[r.Values[1]] = true
		ok, err := anyAdmin(ctx, admin, held, roles, admins, after)
		if err != nil {
			return err
		}
		if !ok {
			return &LockoutError{Action: audit.ActionGrant, Index: i, Rule: r}
		}
	}
	return nil
}

// roleNames returns AdminRole and every name a g rule of the states grants
// as a role (its second field).
func roleNames(states ...[]enforcer.Rule) map[string]bool {
	roles := map[string]bool{AdminRole: true}
	for _, rules := range states {
		for _, r := range rules {
			if r.PType[0] == 'g' && len(r.Values) >= 2 {
				roles[r.Values[1]] = true
			}
		}
	}
	return roles
}

// finalState returns before with rules revoked, or granted.
func finalState(before []enforcer.Rule, action string, rules []enforcer.Rule) []enforcer.Rule {
	cur := slices.DeleteFunc(slices.Clone(before), func(h enforcer.Rule) bool {
		return slices.ContainsFunc(rules, func(r enforcer.Rule) bool { return h.PType == r.PType && slices.Equal(h.Values, r.Values) })
	})
	if action != audit.ActionRevoke {
		cur = append(cur, rules...)
	}
	return cur
}

// anyAdmin reports whether one of admins, or some subject of rules that is
// not in roles, that refused (when set) does not refuse, holds
// warden:admin on x, which holds rules (see keepsAnAdmin).
func anyAdmin(ctx context.Context, x *enforcer.Enforcer, rules []enforcer.Rule, roles map[string]bool, admins []string, refused func(context.Context, string) (bool, error)) (bool, error) {
	seen := map[string]bool{}
	candidates := slices.Clone(admins)
	for _, r := range rules {
		if len(r.Values) > 0 && !roles[r.Values[0]] {
			candidates = append(candidates, r.Values[0])
		}
	}
	for _, sub := range candidates {
		if seen[sub] {
			continue
		}
		seen[sub] = true
		if refused != nil {
			no, err := refused(ctx, sub)
			if err != nil {
				return false, fmt.Errorf("policyadmin: ask whether %q can authenticate: %w", sub, err)
			}
			if no {
				continue
			}
		}
		d, err := x.Decide(ctx, enforcer.NewRequest(sub, PermAdmin))
		if err != nil {
			return false, fmt.Errorf("policyadmin: evaluate the admin policy after the change: %w", err)
		}
		if d.Allowed {
			return true, nil
		}
	}
	return false, nil
}

// memPolicy is a read-only adapter over rules, for evaluating a policy
// that is not stored.
type memPolicy []enforcer.Rule

func (p memPolicy) LoadPolicy(m model.Model) error {
	for _, r := range p {
		if err := persist.LoadPolicyArray(append([]string{r.PType}, r.Values...), m); err != nil {
			return err
		}
	}
	return nil
}

var errReadOnly = errors.New("policyadmin: read-only policy")

func (memPolicy) SavePolicy(model.Model) error                              { return errReadOnly }
func (memPolicy) AddPolicy(string, string, []string) error                  { return errReadOnly }
func (memPolicy) RemovePolicy(string, string, []string) error               { return errReadOnly }
func (memPolicy) RemoveFilteredPolicy(string, string, int, ...string) error { return errReadOnly }
