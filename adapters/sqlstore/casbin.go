package sqlstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/permission"
)

var (
	_ persist.Adapter        = (*Store)(nil)
	_ persist.ContextAdapter = (*Store)(nil)
)

// LoadPolicy implements persist.Adapter for the permissions model: every
// group row becomes "g, username, group_name" and every permission row the
// "p" rule permission.Rule gives for it. A value that cannot be a rule value
// fails the whole load (see the package documentation), so that an enforcer
// keeps its previous policy rather than running on part of the table.
func (s *Store) LoadPolicy(m model.Model) error {
	return s.LoadPolicyCtx(context.Background(), m)
}

// LoadPolicyCtx is LoadPolicy with a context.
func (s *Store) LoadPolicyCtx(ctx context.Context, m model.Model) error {
	rules, err := s.rules(ctx)
	if err != nil {
		return err
	}
	for _, r := range rules {
		if err := persist.LoadPolicyArray(append([]string{r.PType}, r.Values...), m); err != nil {
			return fmt.Errorf("sqlstore: load %s: %w", r, err)
		}
	}
	return nil
}

// rules reads both tables as rules, groups first, each in id order.
func (s *Store) rules(ctx context.Context) ([]enforcer.Rule, error) {
	var groups []groupRow
	if err := s.db.WithContext(ctx).Table(s.groups).Order("id").Find(&groups).Error; err != nil {
		return nil, fmt.Errorf("sqlstore: load %s: %w", s.groups, err)
	}
	var perms []permissionRow
	if err := s.db.WithContext(ctx).Table(s.permissions).Order("id").Find(&perms).Error; err != nil {
		return nil, fmt.Errorf("sqlstore: load %s: %w", s.permissions, err)
	}
	out := make([]enforcer.Rule, 0, len(groups)+len(perms))
	for _, g := range groups {
		if err := checkRuleValue(g.Username); err != nil {
			return nil, fmt.Errorf("sqlstore: %s row id=%d username: %w", s.groups, g.ID, err)
		}
		if err := checkRuleValue(g.GroupName); err != nil {
			return nil, fmt.Errorf("sqlstore: %s row id=%d group_name: %w", s.groups, g.ID, err)
		}
		out = append(out, enforcer.G(g.Username, g.GroupName))
	}
	for _, p := range perms {
		if err := checkRuleValue(p.Username); err != nil {
			return nil, fmt.Errorf("sqlstore: %s row id=%d username: %w", s.permissions, p.ID, err)
		}
		r, err := permission.Rule(p.Username, p.Permission)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: %s row id=%d permission: %w", s.permissions, p.ID, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// SavePolicy implements persist.Adapter: it replaces both tables with the
// model's "g" and "p" rules, in one transaction.
func (s *Store) SavePolicy(m model.Model) error {
	return s.SavePolicyCtx(context.Background(), m)
}

// SavePolicyCtx is SavePolicy with a context.
func (s *Store) SavePolicyCtx(ctx context.Context, m model.Model) error {
	// Every rule must fit the two tables; one that does not (a p2 or g2
	// rule) fails the save rather than being dropped from storage.
	rules := enforcer.ModelRules(m)
	return s.tx(ctx, func(tx *Store) error {
		for _, t := range []string{tx.groups, tx.permissions} {
			if err := tx.db.Exec("DELETE FROM " + tx.quote(t)).Error; err != nil {
				return fmt.Errorf("sqlstore: save policy: clear %s: %w", t, err)
			}
		}
		for _, r := range rules {
			if err := tx.add(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Store) quote(table string) string {
	if s.db.Dialector.Name() == "mysql" {
		return "`" + table + "`"
	}
	return `"` + table + `"`
}

// AddPolicy implements persist.Adapter (auto-save of one added rule).
func (s *Store) AddPolicy(_, ptype string, rule []string) error {
	return s.add(context.Background(), enforcer.Rule{PType: ptype, Values: rule})
}

// RemovePolicy implements persist.Adapter (auto-save of one removed rule).
func (s *Store) RemovePolicy(_, ptype string, rule []string) error {
	return s.remove(context.Background(), enforcer.Rule{PType: ptype, Values: rule})
}

// AddPolicyCtx is AddPolicy with a context.
func (s *Store) AddPolicyCtx(ctx context.Context, _, ptype string, rule []string) error {
	return s.add(ctx, enforcer.Rule{PType: ptype, Values: rule})
}

// RemovePolicyCtx is RemovePolicy with a context.
func (s *Store) RemovePolicyCtx(ctx context.Context, _, ptype string, rule []string) error {
	return s.remove(ctx, enforcer.Rule{PType: ptype, Values: rule})
}

// RemoveFilteredPolicy implements persist.Adapter: it removes the rules of
// ptype whose values from fieldIndex on equal fieldValues (an empty
// fieldValue matches anything), as Casbin defines it.
func (s *Store) RemoveFilteredPolicy(sec, ptype string, fieldIndex int, fieldValues ...string) error {
	return s.RemoveFilteredPolicyCtx(context.Background(), sec, ptype, fieldIndex, fieldValues...)
}

// RemoveFilteredPolicyCtx is RemoveFilteredPolicy with a context.
func (s *Store) RemoveFilteredPolicyCtx(ctx context.Context, _, ptype string, fieldIndex int, fieldValues ...string) error {
	rules, err := s.rules(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range rules {
		if r.PType != ptype || !matchesFilter(r.Values, fieldIndex, fieldValues) {
			continue
		}
		errs = append(errs, s.remove(ctx, r))
	}
	return errors.Join(errs...)
}

func matchesFilter(values []string, idx int, want []string) bool {
	if idx < 0 {
		return false
	}
	for i, w := range want {
		if w == "" {
			continue
		}
		if idx+i >= len(values) || values[idx+i] != w {
			return false
		}
	}
	return true
}

func (s *Store) add(ctx context.Context, r enforcer.Rule) error {
	for _, v := range r.Values {
		if err := checkRuleValue(v); err != nil {
			return fmt.Errorf("sqlstore: add %s: %w", r, err)
		}
	}
	switch {
	case r.PType == "g" && len(r.Values) == 2:
		return s.GrantGroup(ctx, r.Values[0], r.Values[1])
	case r.PType == "p":
		if p, ok := permission.FromRule(r); ok {
			return s.GrantPermission(ctx, r.Values[0], p)
		}
	}
	return fmt.Errorf("%w: %s (want \"g, user, group\" or \"p, sub, perm, allow|deny\")", ErrUnsupported, r)
}

func (s *Store) remove(ctx context.Context, r enforcer.Rule) error {
	switch {
	case r.PType == "g" && len(r.Values) == 2:
		return s.RevokeGroup(ctx, r.Values[0], r.Values[1])
	case r.PType == "p":
		if p, ok := permission.FromRule(r); ok {
			return s.RevokePermission(ctx, r.Values[0], p)
		}
	}
	return fmt.Errorf("%w: %s", ErrUnsupported, r)
}
