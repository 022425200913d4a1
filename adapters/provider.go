package adapters

import "context"

// Token is a verified bearer token as providers see it. The middleware builds
// it only after the signature and the registered claims have been checked, so
// a provider may trust Claims but must treat every value as caller-chosen data
// (it is still attacker-controlled text, only authenticated).
type Token struct {
	// Raw is the encoded token. Providers must never log it or use it as a
	// cache key: identity, not credential, keys a cache.
	Raw string
	// Header is the decoded JOSE header.
	Header map[string]any
	// Claims are the decoded claims.
	Claims map[string]any
	// Identity is the caller's id, taken from the configured identity
	// claim ("sub" by default; see IdentityFromClaims).
	Identity string
}

// GroupsProvider fetches the groups of the caller identified by a verified
// token. An error means "unknown", never "no groups": callers deny on error.
type GroupsProvider interface {
	Groups(ctx context.Context, tok *Token) ([]string, error)
}

// PermissionsProvider fetches the permission strings (such as "read:posts")
// of the caller identified by a verified token. An error means "unknown",
// never "no permissions": callers deny on error.
type PermissionsProvider interface {
	Permissions(ctx context.Context, tok *Token) ([]string, error)
}

// GroupsFunc adapts a plain function to GroupsProvider.
type GroupsFunc func(ctx context.Context, tok *Token) ([]string, error)

// Groups calls f.
func (f GroupsFunc) Groups(ctx context.Context, tok *Token) ([]string, error) { return f(ctx, tok) }

// PermissionsFunc adapts a plain function to PermissionsProvider.
type PermissionsFunc func(ctx context.Context, tok *Token) ([]string, error)

// Permissions calls f.
func (f PermissionsFunc) Permissions(ctx context.Context, tok *Token) ([]string, error) {
	return f(ctx, tok)
}
