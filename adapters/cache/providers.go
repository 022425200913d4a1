package cache

import (
	"context"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters"
)

// Groups is a cached adapters.GroupsProvider.
type Groups struct{ *Cache }

// NewGroups returns p behind a cache.
func NewGroups(p adapters.GroupsProvider, opts ...Option) *Groups {
	return &Groups{New(p.Groups, opts...)}
}

// Groups implements adapters.GroupsProvider.
func (g *Groups) Groups(ctx context.Context, tok *warden.Token) ([]string, error) {
	return g.Fetch(ctx, tok)
}

// Permissions is a cached adapters.PermissionsProvider.
type Permissions struct{ *Cache }

// NewPermissions returns p behind a cache.
func NewPermissions(p adapters.PermissionsProvider, opts ...Option) *Permissions {
	return &Permissions{New(p.Permissions, opts...)}
}

// Permissions implements adapters.PermissionsProvider.
func (p *Permissions) Permissions(ctx context.Context, tok *warden.Token) ([]string, error) {
	return p.Fetch(ctx, tok)
}
