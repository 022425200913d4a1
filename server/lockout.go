package server

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"

	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/enforcer"
)

// ErrLockout is matched by the error of Apply for an admin-scope change
// that would leave no identity of the admin policy holding warden:admin.
// Nobody could manage Warden through the API any more, and a restart would
// not help: the admin policy is seeded only when its table is empty.
var ErrLockout = errors.New("server: the change would leave no identity with " + PermAdmin)

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

// adminChanges serializes admin-scope changes of this process, so that two
// revokes checked at once cannot together remove the last administrator.
// Instances changing the same admin table concurrently are not covered.
var adminChanges sync.Mutex

// keepsAnAdmin refuses with a *LockoutError a change that would take the
// admin policy of e from some identity holding warden:admin to none. An
// identity is a name the policy uses as a subject (a p rule's subject, a g
// rule's member) that is not a role, or one of admins (identities
// configured as administrators, counted even when they are also roles).
// A role is AdminRole or a name some g rule grants, before or after the
// change: a role emptied by the change stays a role, so revoking the last
// member of warden-admin is a lockout, not a handover to "warden-admin".
// A role never counts: holding warden:admin does no good if every user
// reaching it is denied, as "p, root-admin, *, deny" did to the users of
// root-admin. When no identity of the policy held warden:admin before the
// change (users get the admin role from their tokens' groups claims), a
// role counts after all, as the only subjects the policy knows to hold it;
// a policy where no subject held it is left to the change.
// An identity refused reports (see Change.RefusedIdentity) cannot
// authenticate and never counts, an admin included: the middleware refuses
// a token whose subject is a role of the served policy, so handing
// warden:admin to "admin" (a role there) and revoking the last user would
// leave nobody able to use it.
// Rules that do not fit the model are left to the enforcer, which refuses
// the whole change.
func keepsAnAdmin(ctx context.Context, e *enforcer.Enforcer, action string, rules []enforcer.Rule, admins []string, refused func(context.Context, string) (bool, error)) error {
	m := e.Model()
	for _, r := range rules {
		if n := fieldNames(m, r.PType); n == nil || len(n) != len(r.Values) {
			return nil
		}
	}
	before := AllRules(e)
	final := finalState(before, action, rules)
	roles := roleNames(before, final)
	for _, a := range admins {
		delete(roles, a)
	}
	had, err := anyAdmin(ctx, m, before, roles, admins, refused)
	if err != nil {
		return err
	}
	if !had {
		// No user of the policy holds warden:admin: users reach it through
		// their tokens' groups claims, which name roles. Then some
		// subject, a role included, must keep it.
		roles, refused = nil, nil
		if had, err = anyAdmin(ctx, m, before, roles, admins, nil); err != nil || !had {
			return err
		}
	}
	if ok, err := anyAdmin(ctx, m, final, roles, admins, refused); err != nil || ok {
		return err
	}
	// Refused: name the first rule after which nobody is left.
	cur := before
	for i, r := range rules {
		cur = finalState(cur, action, rules[i:i+1])
		ok, err := anyAdmin(ctx, m, cur, roles, admins, refused)
		if err != nil {
			return err
		}
		if !ok {
			return &LockoutError{Action: action, Index: i, Rule: r}
		}
	}
	return &LockoutError{Action: action, Index: len(rules) - 1, Rule: rules[len(rules)-1]}
}

// keepsAdminIdentities refuses with a *LockoutError a grant of rules in
// the served policy after which no identity of the admin policy admin that
// can authenticate holds warden:admin: every role a g rule of rules names
// becomes a name the middleware refuses as a subject (see
// Change.AdminPolicy). A policy where no such identity held it before is
// left to the change, as keepsAnAdmin leaves it.
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
	m := admin.Model()
	held := AllRules(admin)
	roles := roleNames(held)
	for _, a := range admins {
		delete(roles, a)
	}
	had, err := anyAdmin(ctx, m, held, roles, admins, refused)
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
		ok, err := anyAdmin(ctx, m, held, roles, admins, after)
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
// warden:admin under the permissions model m (see keepsAnAdmin).
func anyAdmin(ctx context.Context, m model.Model, rules []enforcer.Rule, roles map[string]bool, admins []string, refused func(context.Context, string) (bool, error)) (bool, error) {
	x, err := enforcer.New(ctx, m, memPolicy(rules))
	if err != nil {
		return false, fmt.Errorf("server: evaluate the admin policy after the change: %w", err)
	}
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
				return false, fmt.Errorf("server: ask whether %q can authenticate: %w", sub, err)
			}
			if no {
				continue
			}
		}
		d, err := x.Decide(ctx, enforcer.NewRequest(sub, PermAdmin))
		if err != nil {
			return false, fmt.Errorf("server: evaluate the admin policy after the change: %w", err)
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

var errReadOnly = errors.New("server: read-only policy")

func (memPolicy) SavePolicy(model.Model) error                              { return errReadOnly }
func (memPolicy) AddPolicy(string, string, []string) error                  { return errReadOnly }
func (memPolicy) RemovePolicy(string, string, []string) error               { return errReadOnly }
func (memPolicy) RemoveFilteredPolicy(string, string, int, ...string) error { return errReadOnly }
