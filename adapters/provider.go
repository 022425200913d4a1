package adapters

import (
	"context"

	"github.com/wardenhq/warden"
)

// GroupsProvider fetches the groups of the caller identified by a verified
// token. An error means "unknown", never "no groups": callers deny on error.
type GroupsProvider interface {
	Groups(ctx context.Context, tok *warden.Token) ([]string, error)
}

// PermissionsProvider fetches the permission strings (such as "read:posts")
// of the caller identified by a verified token. An error means "unknown",
// never "no permissions": callers deny on error.
type PermissionsProvider interface {
	Permissions(ctx context.Context, tok *warden.Token) ([]string, error)
}

// GroupsFunc adapts a plain function to GroupsProvider.
type GroupsFunc func(ctx context.Context, tok *warden.Token) ([]string, error)

// Groups calls f.
func (f GroupsFunc) Groups(ctx context.Context, tok *warden.Token) ([]string, error) {
	return f(ctx, tok)
}

// PermissionsFunc adapts a plain function to PermissionsProvider.
type PermissionsFunc func(ctx context.Context, tok *warden.Token) ([]string, error)

// Permissions calls f.
func (f PermissionsFunc) Permissions(ctx context.Context, tok *warden.Token) ([]string, error) {
	return f(ctx, tok)
}
