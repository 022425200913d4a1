package sqlstore

import (
	"context"

	"github.com/wardenhq/warden/adapters"
)

// Groups implements adapters.GroupsProvider: the groups stored for the
// token's identity, matched exactly.
func (s *Store) Groups(ctx context.Context, tok *adapters.Token) ([]string, error) {
	id, err := adapters.IdentityOf(tok)
	if err != nil {
		return nil, err
	}
	return s.ListGroups(ctx, id)
}

// Permissions implements adapters.PermissionsProvider: the permissions
// stored for the token's identity itself. Permissions of its groups are not
// included; load the Store into an enforcer (it is a persist.Adapter) to
// have groups' permissions apply, or combine providers with package
// hierarchy.
func (s *Store) Permissions(ctx context.Context, tok *adapters.Token) ([]string, error) {
	id, err := adapters.IdentityOf(tok)
	if err != nil {
		return nil, err
	}
	return s.ListPermissions(ctx, id)
}
