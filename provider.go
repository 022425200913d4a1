package warden

import "context"

// Provider fetches a list of names for the caller of a verified token: its
// groups, when it serves as a GroupsProvider, or its permission strings (such
// as "read:posts"), when it serves as a PermissionsProvider. It is one type
// under two names so that every wrapper (cache, retry, timeout, breaker,
// multi) has one constructor that serves both roles.
//
// An error means "unknown", never "none": callers deny on error. An empty
// list means the caller has none. The returned slice belongs to the caller;
// a provider must not keep or change it afterwards.
type Provider interface {
	Fetch(ctx context.Context, tok *Token) ([]string, error)
}

// GroupsProvider is a Provider whose list is the caller's groups (roles).
type GroupsProvider = Provider

// PermissionsProvider is a Provider whose list is the caller's permission
// strings.
type PermissionsProvider = Provider

// ProviderFunc adapts a plain function, or a method value such as
// store.Groups, to Provider.
type ProviderFunc func(ctx context.Context, tok *Token) ([]string, error)

// Fetch calls f.
func (f ProviderFunc) Fetch(ctx context.Context, tok *Token) ([]string, error) { return f(ctx, tok) }
