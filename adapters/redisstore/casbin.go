package redisstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
	"github.com/redis/go-redis/v9"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/permission"
)

var _ persist.Adapter = (*Store)(nil)

// scanCount is the COUNT hint per SCAN call.
const scanCount = 500

// LoadPolicy implements persist.Adapter. Any bad key or value fails the
// whole load, so an enforcer keeps its previous policy.
func (s *Store) LoadPolicy(m model.Model) error {
	rules, err := s.Rules(context.Background())
	if err != nil {
		return err
	}
	for _, r := range rules {
		if err := persist.LoadPolicyArray(append([]string{r.PType}, r.Values...), m); err != nil {
			return fmt.Errorf("redisstore: load %s: %w", r, err)
		}
	}
	return nil
}

// Rules returns every stored membership and permission as rules of the
// permissions model: g rules first, then p rules, sorted.
func (s *Store) Rules(ctx context.Context) ([]enforcer.Rule, error) {
	var g, p []enforcer.Rule
	for _, kind := range []string{UserGroups, UserRoles, UserPermissions, RolePermissions} {
		keys, err := s.scan(ctx, s.prefix+kind)
		if err != nil {
			return nil, err
		}
		slices.Sort(keys)
		for _, key := range keys {
			name := strings.TrimPrefix(key, s.prefix+kind)
			if err := ruleValue(name); err != nil {
				return nil, fmt.Errorf("redisstore: key %q: %w", key, err)
			}
			members, err := s.rdb.SMembers(ctx, key).Result()
			if err != nil {
				return nil, fmt.Errorf("redisstore: read %q: %w", key, err)
			}
			slices.Sort(members)
			switch kind {
			case UserGroups, UserRoles:
				for _, v := range members {
					if err := ruleValue(v); err != nil {
						return nil, fmt.Errorf("redisstore: key %q: %w", key, err)
					}
					g = append(g, enforcer.G(name, v))
				}
			default:
				rs, err := permission.Rules(name, members)
				if err != nil {
					return nil, fmt.Errorf("redisstore: key %q: %w: %w", key, ErrInvalid, err)
				}
				p = append(p, rs...)
			}
		}
	}
	return append(g, p...), nil
}

// scan returns the keys starting with prefix, on every master of a cluster.
func (s *Store) scan(ctx context.Context, prefix string) ([]string, error) {
	pattern := globEscape(prefix) + "*"
	var keys []string
	scanOne := func(ctx context.Context, c redis.Cmdable) error {
		var cursor uint64
		for {
			batch, next, err := c.Scan(ctx, cursor, pattern, scanCount).Result()
			if err != nil {
				return err
			}
			keys = append(keys, batch...)
			if cursor = next; cursor == 0 {
				return nil
			}
		}
	}
	var err error
	if cc, ok := s.rdb.(*redis.ClusterClient); ok {
		var mu sync.Mutex // ForEachMaster runs concurrently; keys is shared
		err = cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
			mu.Lock()
			defer mu.Unlock()
			return scanOne(ctx, c)
		})
	} else {
		err = scanOne(ctx, s.rdb)
	}
	if err != nil {
		return nil, fmt.Errorf("redisstore: scan %q: %w", pattern, err)
	}
	return keys, nil
}

// globEscape escapes the glob metacharacters of a SCAN MATCH pattern.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\^`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// SavePolicy implements persist.Adapter: it replaces every key under the
// prefix with the model's g and p rules, in one MULTI/EXEC.
func (s *Store) SavePolicy(m model.Model) error {
	ctx := context.Background()
	var old []string
	for _, kind := range []string{UserGroups, UserRoles, UserPermissions, RolePermissions} {
		keys, err := s.scan(ctx, s.prefix+kind)
		if err != nil {
			return err
		}
		old = append(old, keys...)
	}
	type add struct{ key, value string }
	var adds []add
	for _, sec := range []string{"g", "p"} {
		ast, ok := m[sec][sec]
		if !ok {
			continue
		}
		for _, v := range ast.Policy {
			kind, name, value, err := s.place(enforcer.Rule{PType: sec, Values: v})
			if err != nil {
				return err
			}
			adds = append(adds, add{s.key(kind, name), value})
		}
	}
	_, err := s.rdb.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
		if len(old) > 0 {
			pipe.Del(ctx, old...)
		}
		for _, a := range adds {
			pipe.SAdd(ctx, a.key, a.value)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("redisstore: save policy: %w", err)
	}
	return nil
}

// place says where a rule is stored.
func (s *Store) place(r enforcer.Rule) (kind, name, value string, err error) {
	for _, v := range r.Values {
		if err := ruleValue(v); err != nil {
			return "", "", "", fmt.Errorf("redisstore: %s: %w", r, err)
		}
	}
	switch {
	case r.PType == "g" && len(r.Values) == 2:
		return UserGroups, r.Values[0], r.Values[1], nil
	case r.PType == "p":
		if p, ok := permission.FromRule(r); ok {
			if err := permission.Validate(p); err != nil {
				return "", "", "", fmt.Errorf("redisstore: %s: %w: %w", r, ErrInvalid, err)
			}
			return UserPermissions, r.Values[0], p, nil
		}
	}
	return "", "", "", fmt.Errorf("%w: %s", ErrUnsupported, r)
}

// AddPolicy implements persist.Adapter.
func (s *Store) AddPolicy(_, ptype string, rule []string) error {
	kind, name, value, err := s.place(enforcer.Rule{PType: ptype, Values: rule})
	if err != nil {
		return err
	}
	return s.Add(context.Background(), kind, name, value)
}

// RemovePolicy implements persist.Adapter. The value is removed from both
// sets of its kind (groups and roles, or user and role permissions).
func (s *Store) RemovePolicy(_, ptype string, rule []string) error {
	r := enforcer.Rule{PType: ptype, Values: rule}
	ctx := context.Background()
	switch {
	case ptype == "g" && len(rule) == 2:
		return errors.Join(s.Remove(ctx, UserGroups, rule[0], rule[1]), s.Remove(ctx, UserRoles, rule[0], rule[1]))
	case ptype == "p":
		if p, ok := permission.FromRule(r); ok {
			return errors.Join(s.Remove(ctx, UserPermissions, rule[0], p), s.Remove(ctx, RolePermissions, rule[0], p))
		}
	}
	return fmt.Errorf("%w: %s", ErrUnsupported, r)
}

// RemoveFilteredPolicy implements persist.Adapter with Casbin's filter
// semantics (an empty field value matches anything).
func (s *Store) RemoveFilteredPolicy(sec, ptype string, fieldIndex int, fieldValues ...string) error {
	rules, err := s.Rules(context.Background())
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range rules {
		if r.PType == ptype && matches(r.Values, fieldIndex, fieldValues) {
			errs = append(errs, s.RemovePolicy(sec, r.PType, r.Values))
		}
	}
	return errors.Join(errs...)
}

func matches(values []string, idx int, want []string) bool {
	if idx < 0 {
		return false
	}
	for i, w := range want {
		if w != "" && (idx+i >= len(values) || values[idx+i] != w) {
			return false
		}
	}
	return true
}
