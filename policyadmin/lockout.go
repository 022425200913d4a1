package policyadmin

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

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
// until the commit, so the verdict holds for the policy that commits. The
// served policy's roles (c.ServedPolicy) are read in the same transaction
// from its store when it shares the database handle: a grant there that
// could make an administrator's name a role locks this store's head first
// (keepsAdminIdentitiesInTx), so it has either committed before this read
// or waits for this write and then judges it.
func keepsAnAdminInTx(ctx context.Context, admin *enforcer.Enforcer, w rulelog.Write, c Change) error {
	m := admin.Model() // definitions only
	if err := w.LoadPolicy(ctx, m); err != nil {
		return fmt.Errorf("policyadmin: read the admin policy inside the change: %w", err)
	}
	undo := audit.ActionGrant
	if c.Action != audit.ActionRevoke {
		undo = audit.ActionRevoke
	}
	served := memoryRoles(c.ServedPolicy)
	if st, ok := storeOf(c.ServedPolicy); ok {
		roles, err := w.Roles(ctx, st)
		if err != nil {
			return fmt.Errorf("policyadmin: read the served policy's roles inside the change: %w", err)
		}
		served = func(_ context.Context, id string) (bool, error) { return roles[id] > 0, nil }
	}
	return keepsAnAdmin(ctx, admin, finalState(enforcer.ModelRules(m), undo, w.Changed), c, served)
}

// storeOf returns e's rulelog store, if it has one.
func storeOf(e *enforcer.Enforcer) (*rulelog.Store, bool) {
	if e == nil {
		return nil, false
	}
	st, ok := e.Adapter().(*rulelog.Store)
	return st, ok
}

// memoryRoles asks e's memory whether a name is one of its roles; nil for
// no e.
func memoryRoles(e *enforcer.Enforcer) func(context.Context, string) (bool, error) {
	if e == nil {
		return nil
	}
	return e.IsRole
}

// refusal is what the middleware refuses as a subject, judged on the admin
// policy state: served (the served policy's roles), and, when refused is
// set (the middleware refuses roles: warden serve asks the admin policy
// too), the names state grants as roles, then refused itself, which asks
// the middleware's sources as they are in memory now. A name that the
// change makes a role of the admin policy is thus refused after it, which
// refused alone, asked before the change is in force, would not say. Nil
// when nothing is refused.
func refusal(refused, served func(context.Context, string) (bool, error), state []enforcer.Rule) func(context.Context, string) (bool, error) {
	if refused == nil && served == nil {
		return nil
	}
	var roles map[string]bool
	if refused != nil {
		roles = roleNames(state)
	}
	return func(ctx context.Context, id string) (bool, error) {
		if roles[id] {
			return true, nil
		}
		if served != nil {
			if is, err := served(ctx, id); err != nil || is {
				return is, err
			}
		}
		if refused != nil {
			return refused(ctx, id)
		}
		return false, nil
	}
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
func keepsAnAdmin(ctx context.Context, admin *enforcer.Enforcer, before []enforcer.Rule, c Change, served func(context.Context, string) (bool, error)) error {
	for _, r := range c.Rules {
		if !fits(admin, r) {
			return nil
		}
	}
	m := admin.Model()
	final := finalState(before, c.Action, c.Rules)
	// Who held warden:admin before is judged on the roles before: a name
	// the change makes a role ("g, warden-admin, root") was a user, and
	// the change must leave another one.
	rolesBefore, roles := roleNames(before), roleNames(before, final)
	for _, a := range c.Admins {
		delete(rolesBefore, a)
		delete(roles, a)
	}
	x, err := scratch(ctx, m, before)
	if err != nil {
		return err
	}
	refusedIn := func(state []enforcer.Rule) func(context.Context, string) (bool, error) {
		return refusal(c.RefusedIdentity, served, state)
	}
	had, err := anyAdmin(ctx, x, before, rolesBefore, c.Admins, refusedIn(before))
	if err != nil {
		return err
	}
	if !had {
		// No user of the policy holds warden:admin: users reach it through
		// their tokens' groups claims, which name roles. Then some
		// subject, a role included, must keep it.
		roles = nil
		refusedIn = func([]enforcer.Rule) func(context.Context, string) (bool, error) { return nil }
		if had, err = anyAdmin(ctx, x, before, roles, c.Admins, nil); err != nil || !had {
			return err
		}
	}
	if err := change(x, c.Action, c.Rules); err != nil {
		return err
	}
	if ok, err := anyAdmin(ctx, x, final, roles, c.Admins, refusedIn(final)); err != nil || ok {
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
		ok, err := anyAdmin(ctx, x, cur, roles, c.Admins, refusedIn(cur))
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
// left to the change, as keepsAnAdmin leaves it. This is the check on
// memory (served is the served policy, whose roles are refused); on
// rulelog stores keepsAdminIdentitiesInTx checks again inside
// the write's transaction.
func keepsAdminIdentities(ctx context.Context, admin *enforcer.Enforcer, c Change, served *enforcer.Enforcer) error {
	if !grantsRoles(c.Rules) {
		return nil
	}
	if admin.SyncStatus().Logged {
		// Judge on the store's latest admin policy, as keepsAnAdmin does.
		if err := admin.CatchUp(ctx); err != nil {
			return err
		}
	}
	// The admin policy does not change, so it is asked directly: no
	// enforcer is built.
	return keepsIdentities(ctx, admin, AllRules(admin), c, served.IsRole)
}

// keepsAdminIdentitiesInTx is keepsAdminIdentities inside the served
// policy's write, w: it takes the admin policy's head lock in the same
// transaction and judges the admin rules the store holds, with the roles
// the served policy's store holds apart from this write. An admin change
// of another process has then either committed (and is judged here) or
// waits for this write to commit and judges it (keepsAnAdminInTx reads
// the served policy's roles). When the admin policy is not a rulelog
// store on the same database handle, the check on memory is all.
func keepsAdminIdentitiesInTx(ctx context.Context, w rulelog.Write, c Change) error {
	st, ok := storeOf(c.AdminPolicy)
	if !ok || !grantsRoles(c.Rules) {
		return nil
	}
	aw, err := w.Lock(ctx, st)
	if err != nil {
		return fmt.Errorf("policyadmin: lock the admin policy inside the change: %w", err)
	}
	m := c.AdminPolicy.Model()
	if err := aw.LoadPolicy(ctx, m); err != nil {
		return fmt.Errorf("policyadmin: read the admin policy inside the change: %w", err)
	}
	held := enforcer.ModelRules(m)
	served, err := w.Roles(ctx, nil)
	if err != nil {
		return fmt.Errorf("policyadmin: read the served policy's roles inside the change: %w", err)
	}
	// The roles before this write: its own g rows undone.
	for _, r := range w.Changed {
		if isRoleLink(r) {
			served[r.Values[1]]--
		}
	}
	x, err := scratch(ctx, m, held)
	if err != nil {
		return err
	}
	return keepsIdentities(ctx, x, held, c, func(_ context.Context, id string) (bool, error) { return served[id] > 0, nil })
}

// grantsRoles reports whether rules hold a role link, the only kind of
// served rule that can take a name from the administrators.
func grantsRoles(rules []enforcer.Rule) bool {
	return slices.ContainsFunc(rules, isRoleLink)
}

// isRoleLink reports whether r is a rule of a g type naming a member and a
// role. A rule without a ptype is none; the enforcer refuses it.
func isRoleLink(r enforcer.Rule) bool {
	return strings.HasPrefix(r.PType, "g") && len(r.Values) >= 2
}

// keepsIdentities is the verdict of keepsAdminIdentities on x, which holds
// the admin rules held; served, when set, says which names are roles of
// the served policy before the change.
func keepsIdentities(ctx context.Context, x *enforcer.Enforcer, held []enforcer.Rule, c Change, served func(context.Context, string) (bool, error)) error {
	roles := roleNames(held)
	for _, a := range c.Admins {
		delete(roles, a)
	}
	// Served policy roles are refused whatever RefusedIdentity says: this
	// guard runs because the middleware refuses them (Change.AdminPolicy).
	refused := refusal(c.RefusedIdentity, served, held)
	had, err := anyAdmin(ctx, x, held, roles, c.Admins, refused)
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
	for i, r := range c.Rules {
		if !isRoleLink(r) {
			continue
		}
		granted[r.Values[1]] = true
		ok, err := anyAdmin(ctx, x, held, roles, c.Admins, after)
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
			if isRoleLink(r) {
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
