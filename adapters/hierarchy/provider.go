package hierarchy

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/wardenhq/warden"
)

// ErrNotLoaded is returned by a Provider that was not made by New.
var ErrNotLoaded = warden.NewError(warden.ErrUnavailable, "hierarchy: no graph loaded (use New)")

// Source loads the current role graph, for example from a file or a table.
type Source func(ctx context.Context) (Graph, error)

// Provider turns a caller's direct roles into their inherited roles and
// permissions. Its Groups and Permissions methods are providers
// (warden.ProviderFunc(h.Groups)), and it is safe for concurrent use.
type Provider struct {
	direct   warden.GroupsProvider
	own      warden.PermissionsProvider
	src      Source
	expanded atomic.Pointer[Expanded]
}

// Option configures a Provider.
type Option func(*Provider)

// WithUserPermissions adds the caller's own permissions (from p) to those
// their roles give.
func WithUserPermissions(p warden.PermissionsProvider) Option {
	return func(h *Provider) { h.own = p }
}

// New loads the graph from src, expands it and returns a Provider over the
// direct roles that direct answers.
func New(ctx context.Context, direct warden.GroupsProvider, src Source, opts ...Option) (*Provider, error) {
	if direct == nil || src == nil {
		return nil, fmt.Errorf("%w: nil provider or source", ErrInvalid)
	}
	h := &Provider{direct: direct, src: src}
	for _, o := range opts {
		o(h)
	}
	if err := h.Reload(ctx); err != nil {
		return nil, err
	}
	return h, nil
}

// Reload loads and expands the graph again; call it when the source
// changed. On error the previous expansion stays in force.
func (h *Provider) Reload(ctx context.Context) error {
	g, err := h.src(ctx)
	if err != nil {
		return fmt.Errorf("hierarchy: load graph: %w", err)
	}
	return h.Update(g)
}

// Update expands g and puts it in force. On error the previous expansion
// stays.
func (h *Provider) Update(g Graph) error {
	e, err := Expand(g)
	if err != nil {
		return err
	}
	h.expanded.Store(e)
	return nil
}

// Groups returns the caller's direct roles and every role they inherit.
func (h *Provider) Groups(ctx context.Context, tok *warden.Token) ([]string, error) {
	e, direct, err := h.fetch(ctx, tok)
	if err != nil {
		return nil, err
	}
	return e.Roles(direct), nil
}

// fetch returns the expansion in force and the caller's direct roles.
func (h *Provider) fetch(ctx context.Context, tok *warden.Token) (*Expanded, []string, error) {
	e := h.expanded.Load()
	if e == nil || h.direct == nil {
		return nil, nil, ErrNotLoaded
	}
	direct, err := h.direct.Fetch(ctx, tok)
	if err != nil {
		return nil, nil, err
	}
	return e, direct, nil
}

// Permissions returns the permissions of the caller's roles, inherited ones
// included, plus the caller's own with WithUserPermissions.
func (h *Provider) Permissions(ctx context.Context, tok *warden.Token) ([]string, error) {
	e, direct, err := h.fetch(ctx, tok)
	if err != nil {
		return nil, err
	}
	perms := e.Permissions(direct)
	if h.own != nil {
		own, err := h.own.Fetch(ctx, tok)
		if err != nil {
			return nil, err
		}
		perms = reduce(append(own, perms...))
	}
	return perms, nil
}
