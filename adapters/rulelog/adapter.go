package rulelog

import (
	"context"
	"fmt"

	"github.com/casbin/casbin/v2/model"
	"gorm.io/gorm"

	"github.com/wardenhq/warden/enforcer"
)

// AddPolicy implements persist.Adapter: it adds one rule through the log,
// so that a Casbin enforcer with auto-save on this Store is followed by
// Warden's enforcers too.
func (s *Store) AddPolicy(sec, ptype string, rule []string) error {
	return s.AddPolicyCtx(context.Background(), sec, ptype, rule)
}

// AddPolicyCtx is AddPolicy with a context.
func (s *Store) AddPolicyCtx(ctx context.Context, _, ptype string, rule []string) error {
	return s.change(ctx, enforcer.OpAdd, ptype, [][]string{rule})
}

// RemovePolicy implements persist.Adapter.
func (s *Store) RemovePolicy(sec, ptype string, rule []string) error {
	return s.RemovePolicyCtx(context.Background(), sec, ptype, rule)
}

// RemovePolicyCtx is RemovePolicy with a context.
func (s *Store) RemovePolicyCtx(ctx context.Context, _, ptype string, rule []string) error {
	return s.change(ctx, enforcer.OpRemove, ptype, [][]string{rule})
}

// AddPolicies implements persist.BatchAdapter: the rules are added in one
// transaction.
func (s *Store) AddPolicies(_, ptype string, rules [][]string) error {
	return s.change(context.Background(), enforcer.OpAdd, ptype, rules)
}

// RemovePolicies implements persist.BatchAdapter.
func (s *Store) RemovePolicies(_, ptype string, rules [][]string) error {
	return s.change(context.Background(), enforcer.OpRemove, ptype, rules)
}

func (s *Store) change(ctx context.Context, op enforcer.Op, ptype string, rules [][]string) error {
	cs := enforcer.ChangeSet{Op: op, Rules: make([]enforcer.Rule, len(rules))}
	for i, r := range rules {
		cs.Rules[i] = enforcer.Rule{PType: ptype, Values: r}
	}
	_, err := s.WriteChanges(ctx, cs)
	return err
}

// RemoveFilteredPolicy implements persist.Adapter: it removes, in one logged
// change, the rules of ptype whose values from fieldIndex on equal
// fieldValues (an empty value matches anything), as Casbin defines it.
func (s *Store) RemoveFilteredPolicy(sec, ptype string, fieldIndex int, fieldValues ...string) error {
	return s.RemoveFilteredPolicyCtx(context.Background(), sec, ptype, fieldIndex, fieldValues...)
}

// RemoveFilteredPolicyCtx is RemoveFilteredPolicy with a context.
func (s *Store) RemoveFilteredPolicyCtx(ctx context.Context, _, ptype string, fieldIndex int, fieldValues ...string) error {
	if fieldIndex < 0 || fieldIndex+len(fieldValues) > maxValues {
		return fmt.Errorf("%w: filter from field %d with %d values", enforcer.ErrInvalidRule, fieldIndex, len(fieldValues))
	}
	rctx, cancel := s.bounded(ctx)
	defer cancel()
	q := s.db.WithContext(rctx).Table(s.table).Where("ptype = ?", ptype)
	for i, v := range fieldValues {
		if v != "" {
			q = q.Where(fmt.Sprintf("v%d = ?", fieldIndex+i), v)
		}
	}
	var rows []ruleRow
	if err := q.Order("id").Find(&rows).Error; err != nil {
		return fmt.Errorf("rulelog: filter %s: %w", s.table, err)
	}
	cs := enforcer.ChangeSet{Op: enforcer.OpRemove}
	for _, r := range rows {
		vals := []string{r.V0, r.V1, r.V2, r.V3, r.V4, r.V5}
		for len(vals) > 0 && vals[len(vals)-1] == "" {
			vals = vals[:len(vals)-1]
		}
		cs.Rules = append(cs.Rules, enforcer.Rule{PType: r.PType, Values: vals})
	}
	if len(cs.Rules) == 0 {
		return nil
	}
	_, err := s.WriteChanges(ctx, cs)
	return err
}

// SavePolicy implements persist.Adapter: it replaces every rule with m's.
func (s *Store) SavePolicy(m model.Model) error { return s.SavePolicyCtx(context.Background(), m) }

// SavePolicyCtx replaces every rule with m's in one transaction. Rather than
// logging every row, it takes a new revision and marks the whole log pruned
// up to it, so that every reader reloads the whole policy.
func (s *Store) SavePolicyCtx(ctx context.Context, m model.Model) error {
	rules := enforcer.ModelRules(m)
	for _, r := range rules {
		if err := checkRule(r); err != nil {
			return err
		}
	}
	if err := s.resolvePending(ctx); err != nil {
		return err
	}
	ctx, cancel := s.bounded(ctx)
	defer cancel()
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var sess session
		rev, err := s.bump(tx, &sess)
		if err != nil {
			return fmt.Errorf("rulelog: save policy: %w", err)
		}
		if err := tx.Exec("DELETE FROM " + s.q.rules).Error; err != nil {
			return fmt.Errorf("rulelog: save policy: %w", err)
		}
		for _, r := range rules {
			if _, err := s.writeRule(tx, enforcer.OpAdd, r); err != nil {
				return fmt.Errorf("rulelog: save policy: %s: %w", r, err)
			}
		}
		if err := tx.Exec("DELETE FROM "+s.q.log+" WHERE revision <= ?", rev).Error; err != nil {
			return fmt.Errorf("rulelog: save policy: %w", err)
		}
		return tx.Exec("UPDATE "+s.q.head+" SET pruned = ? WHERE id = 1", rev).Error
	})
}
