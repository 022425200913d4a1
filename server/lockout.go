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
// that would leave no subject of the admin policy holding warden:admin.
// Nobody could manage Warden through the API any more, and a restart would
// not help: the admin policy is seeded only when its table is empty.
var ErrLockout = errors.New("server: the change would leave nobody with " + PermAdmin)

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
	return fmt.Sprintf("%s %q would leave no subject of the admin policy with %s; give it to another subject first",
		verb, e.Rule.String(), PermAdmin)
}

// Unwrap makes a LockoutError match ErrLockout.
func (e *LockoutError) Unwrap() error { return ErrLockout }

// adminChanges serializes admin-scope changes of this process, so that two
// revokes checked at once cannot together remove the last administrator.
// Instances changing the same admin table concurrently are not covered.
var adminChanges sync.Mutex

// keepsAnAdmin refuses with a *LockoutError a change that would take the
// admin policy of e from some subject holding warden:admin to none. A subject
// is any name in the policy: a p rule's subject, a g rule's member or role
// (a role counts: a token whose groups claim names it reaches it). A policy
// that had no such subject is left to the change. Rules that do not fit the
// model are left to the enforcer, which refuses the whole change.
func keepsAnAdmin(ctx context.Context, e *enforcer.Enforcer, action string, rules []enforcer.Rule) error {
	m := e.Model()
	for _, r := range rules {
		if n := fieldNames(m, r.PType); n == nil || len(n) != len(r.Values) {
			return nil
		}
	}
	before := AllRules(e)
	had, err := anyAdmin(ctx, m, before)
	if err != nil || !had {
		return err
	}
	if ok, err := anyAdmin(ctx, m, finalState(before, action, rules)); err != nil || ok {
		return err
	}
	// Refused: name the first rule after which nobody is left.
	cur := before
	for i, r := range rules {
		cur = finalState(cur, action, rules[i:i+1])
		ok, err := anyAdmin(ctx, m, cur)
		if err != nil {
			return err
		}
		if !ok {
			return &LockoutError{Action: action, Index: i, Rule: r}
		}
	}
	return &LockoutError{Action: action, Index: len(rules) - 1, Rule: rules[len(rules)-1]}
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

// anyAdmin reports whether some subject named in rules holds warden:admin
// under the permissions model m.
func anyAdmin(ctx context.Context, m model.Model, rules []enforcer.Rule) (bool, error) {
	x, err := enforcer.New(ctx, m, memPolicy(rules))
	if err != nil {
		return false, fmt.Errorf("server: evaluate the admin policy after the change: %w", err)
	}
	seen := map[string]bool{}
	for _, r := range rules {
		names := r.Values[:min(1, len(r.Values))]
		if r.PType[0] == 'g' {
			names = r.Values[:min(2, len(r.Values))]
		}
		for _, sub := range names {
			if seen[sub] {
				continue
			}
			seen[sub] = true
			d, err := x.Decide(ctx, enforcer.NewRequest(sub, PermAdmin))
			if err != nil {
				return false, fmt.Errorf("server: evaluate the admin policy after the change: %w", err)
			}
			if d.Allowed {
				return true, nil
			}
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
