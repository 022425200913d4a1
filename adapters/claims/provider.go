package claims

import (
	"context"
	"fmt"
	"strings"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters"
	"github.com/wardenhq/warden/internal/claimread"
	"github.com/wardenhq/warden/permission"
)

// ErrNoToken is returned when a fetch is given a nil token or one without
// claims. It matches warden.ErrInvalid.
var ErrNoToken = claimread.ErrNoToken

// Provider reads groups and permissions from token claims. Its Groups and
// Permissions methods are providers (warden.ProviderFunc(p.Groups)); it does
// no I/O and is safe for concurrent use. Its answer is the token's own and must never
// be cached by identity: asked by a cache's load (adapters.ShareByIdentity)
// it fails with adapters.ErrPerToken.
type Provider struct {
	groups      []ClaimPath
	perms       []ClaimPath
	scopePrefix string
	required    bool
}

// Option configures a Provider.
type Option func(*Provider) error

// DefaultGroupsClaims are the group claims read when WithGroupsClaim is not
// given: Cognito's and the plain "groups" claim.
var DefaultGroupsClaims = []ClaimPath{Path("cognito:groups"), Path("groups")}

// DefaultPermissionsClaims are the claims read for permissions when
// WithPermissionsClaim is not given.
var DefaultPermissionsClaims = []ClaimPath{Path("permissions"), Path("scope"), Path("scp")}

// New returns a Provider. With no options it reads groups from
// "cognito:groups" or "groups" and permissions from "permissions", "scope"
// or "scp" — in each case the first claim present wins, so that an Auth0
// token's "permissions" are not mixed with its "openid profile" scope.
func New(opts ...Option) (*Provider, error) {
	p := &Provider{}
	for _, o := range opts {
		if err := o(p); err != nil {
			return nil, err
		}
	}
	if p.groups == nil {
		p.groups = DefaultGroupsClaims
	}
	if p.perms == nil {
		p.perms = DefaultPermissionsClaims
	}
	return p, nil
}

// WithGroupsClaim sets the claim paths groups are read from, in the dotted
// form (see the package documentation). The first present claim wins.
// Calling it again adds further fallbacks.
func WithGroupsClaim(paths ...string) Option {
	return func(p *Provider) error {
		for _, s := range paths {
			cp, err := ParsePath(s)
			if err != nil {
				return err
			}
			p.groups = append(p.groups, cp)
		}
		return nil
	}
}

// WithGroupsPath is WithGroupsClaim for paths built with Path.
func WithGroupsPath(paths ...ClaimPath) Option {
	return func(p *Provider) error {
		for _, cp := range paths {
			if len(cp) == 0 {
				return fmt.Errorf("%w: empty", ErrPath)
			}
			p.groups = append(p.groups, cp)
		}
		return nil
	}
}

// WithPermissionsClaim sets the claim paths permissions are read from, in the
// dotted form. The first present claim wins.
func WithPermissionsClaim(paths ...string) Option {
	return func(p *Provider) error {
		for _, s := range paths {
			cp, err := ParsePath(s)
			if err != nil {
				return err
			}
			p.perms = append(p.perms, cp)
		}
		return nil
	}
}

// WithScopeGroups makes scopes that start with prefix count as groups, with
// the prefix removed: with prefix "api/", scope "api/admin" adds group
// "admin". Scopes without the prefix never become groups, and an empty
// prefix is refused because it would turn every scope into a group.
func WithScopeGroups(prefix string) Option {
	return func(p *Provider) error {
		if prefix == "" {
			return fmt.Errorf("%w: claims: WithScopeGroups needs a non-empty prefix", warden.ErrInvalid)
		}
		p.scopePrefix = prefix
		return nil
	}
}

// Required makes a token with none of the configured claims an error
// (wrapping ErrMissing) instead of an empty list.
func Required() Option {
	return func(p *Provider) error { p.required = true; return nil }
}

// Groups returns the caller's groups from the first configured group claim
// present, plus scope-derived groups when WithScopeGroups was given.
func (p *Provider) Groups(ctx context.Context, tok *warden.Token) ([]string, error) {
	if err := claimread.Check(ctx, tok); err != nil {
		return nil, err
	}
	out, found, err := claimread.First(tok.Claims, p.groups)
	if err != nil {
		return nil, err
	}
	if p.scopePrefix != "" {
		scopes, sfound, err := claimread.First(tok.Claims, []ClaimPath{Path("scope"), Path("scp")})
		if err != nil {
			return nil, err
		}
		found = found || sfound
		for _, s := range scopes {
			if g, ok := strings.CutPrefix(s, p.scopePrefix); ok {
				out = append(out, g)
			}
		}
		out = adapters.Dedup(out)
	}
	if !found && p.required {
		return nil, fmt.Errorf("%w: groups (tried %s)", ErrMissing, pathList(p.groups))
	}
	return out, nil
}

// Permissions returns the caller's permission strings from the first
// configured permission claim present. Every entry must be a valid
// permission (see package permission); an invalid one is an error, so that a
// malformed claim is reported rather than half-applied.
func (p *Provider) Permissions(ctx context.Context, tok *warden.Token) ([]string, error) {
	if err := claimread.Check(ctx, tok); err != nil {
		return nil, err
	}
	out, found, err := claimread.First(tok.Claims, p.perms)
	if err != nil {
		return nil, err
	}
	if !found && p.required {
		return nil, fmt.Errorf("%w: permissions (tried %s)", ErrMissing, pathList(p.perms))
	}
	for _, s := range out {
		if err := permission.Validate(s); err != nil {
			return nil, fmt.Errorf("claims: %w", err)
		}
	}
	return out, nil
}

func pathList(paths []ClaimPath) string {
	s := make([]string, len(paths))
	for i, p := range paths {
		s[i] = fmt.Sprintf("%q", p.String())
	}
	return strings.Join(s, ", ")
}
