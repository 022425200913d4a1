package sqlstore

import (
	"context"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/wardenhq/warden/adapters"
)

type groupRow struct {
	ID        uint64 `gorm:"primaryKey"`
	Username  string
	GroupName string
}

type permissionRow struct {
	ID         uint64 `gorm:"primaryKey"`
	Username   string
	Permission string
}

// GrantGroup puts identity in group. Granting an existing membership is not
// an error.
func (s *Store) GrantGroup(ctx context.Context, identity, group string) error {
	if err := checkIdentity(identity); err != nil {
		return err
	}
	if err := checkGroup(group); err != nil {
		return err
	}
	err := s.db.WithContext(ctx).Table(s.groups).
		Clauses(clause.OnConflict{DoNothing: true}).
		Create(&groupRow{Username: identity, GroupName: group}).Error
	if err != nil {
		return fmt.Errorf("sqlstore: grant group %q to %q: %w", group, identity, err)
	}
	return nil
}

// RevokeGroup takes identity out of group. Revoking a membership that does
// not exist is not an error.
func (s *Store) RevokeGroup(ctx context.Context, identity, group string) error {
	if err := checkIdentity(identity); err != nil {
		return err
	}
	err := s.db.WithContext(ctx).Table(s.groups).
		Where("username = ? AND group_name = ?", identity, group).
		Delete(&groupRow{}).Error
	if err != nil {
		return fmt.Errorf("sqlstore: revoke group %q from %q: %w", group, identity, err)
	}
	return nil
}

// ListGroups returns the groups of identity in the order they were granted;
// an identity with none gets an empty list.
func (s *Store) ListGroups(ctx context.Context, identity string) ([]string, error) {
	if err := checkIdentity(identity); err != nil {
		return nil, err
	}
	out := []string{}
	err := s.db.WithContext(ctx).Table(s.groups).
		Where("username = ?", identity).Order("id").
		Pluck("group_name", &out).Error
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list groups of %q: %w", identity, err)
	}
	return out, nil
}

// GrantPermission grants a permission string to identity (a user or a
// group). Granting an existing permission is not an error.
func (s *Store) GrantPermission(ctx context.Context, identity, perm string) error {
	if err := checkIdentity(identity); err != nil {
		return err
	}
	if err := checkPermission(perm); err != nil {
		return err
	}
	err := s.db.WithContext(ctx).Table(s.permissions).
		Clauses(clause.OnConflict{DoNothing: true}).
		Create(&permissionRow{Username: identity, Permission: perm}).Error
	if err != nil {
		return fmt.Errorf("sqlstore: grant permission %q to %q: %w", perm, identity, err)
	}
	return nil
}

// RevokePermission takes a permission away from identity.
func (s *Store) RevokePermission(ctx context.Context, identity, perm string) error {
	if err := checkIdentity(identity); err != nil {
		return err
	}
	err := s.db.WithContext(ctx).Table(s.permissions).
		Where("username = ? AND permission = ?", identity, perm).
		Delete(&permissionRow{}).Error
	if err != nil {
		return fmt.Errorf("sqlstore: revoke permission %q from %q: %w", perm, identity, err)
	}
	return nil
}

// ListPermissions returns the permissions granted to identity directly, in
// the order they were granted.
func (s *Store) ListPermissions(ctx context.Context, identity string) ([]string, error) {
	if err := checkIdentity(identity); err != nil {
		return nil, err
	}
	out := []string{}
	err := s.db.WithContext(ctx).Table(s.permissions).
		Where("username = ?", identity).Order("id").
		Pluck("permission", &out).Error
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list permissions of %q: %w", identity, err)
	}
	return out, nil
}

// listEffectivePermissions returns identity's permissions and those of its
// groups, in one query.
func (s *Store) listEffectivePermissions(ctx context.Context, identity string) ([]string, error) {
	if err := checkIdentity(identity); err != nil {
		return nil, err
	}
	sub := s.db.Table(s.groups).Select("group_name").Where("username = ?", identity)
	out := []string{}
	err := s.db.WithContext(ctx).Table(s.permissions).
		Where("username = ? OR username IN (?)", identity, sub).Order("id").
		Pluck("permission", &out).Error
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list permissions of %q and its groups: %w", identity, err)
	}
	return adapters.Dedup(out), nil
}

// tx runs f in a transaction on a Store bound to it.
func (s *Store) tx(ctx context.Context, f func(*Store) error) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return f(&Store{db: tx, groups: s.groups, permissions: s.permissions, inherit: s.inherit})
	})
}
