package sqlstore

import (
	"context"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters"
)

// Groups returns the groups stored for the token's identity, matched
// exactly. It is a groups provider through warden.ProviderFunc(s.Groups).
func (s *Store) Groups(ctx context.Context, tok *warden.Token) ([]string, error) {
	id, err := adapters.IdentityOf(tok)
	if err != nil {
		return nil, err
	}
	return s.ListGroups(ctx, id)
}

// Permissions returns the permissions stored for the token's identity
// itself, and with WithGroupPermissions
// also those of its groups. To have nested groups apply, load the Store
// into an enforcer (it is a persist.Adapter) or use package hierarchy.
func (s *Store) Permissions(ctx context.Context, tok *warden.Token) ([]string, error) {
	id, err := adapters.IdentityOf(tok)
	if err != nil {
		return nil, err
	}
	if s.inherit {
		return s.listEffectivePermissions(ctx, id)
	}
	return s.ListPermissions(ctx, id)
}
