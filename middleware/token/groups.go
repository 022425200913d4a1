package token

import (
	"context"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/internal/claimread"
	"github.com/wardenhq/warden/middleware/internal/sharedtoken"
)

// ClaimGroups returns a GroupsProvider that reads groups from one claim of
// the verified token, such as "groups" or KeycloakGroupsClaim
// ("realm_access.roles"). It reads the claim as adapters/claims does with
// that one path: a list or a space- or comma-separated string, a missing
// claim is no groups, and a claim of the wrong shape is an error
// (claims.ErrClaimType) so that a misconfigured path is noticed instead of
// silently granting nothing. A path that cannot be parsed makes every fetch
// fail (claims.ErrPath), so that the request is refused. Like every claims
// source it refuses to answer a cache's load (adapters.ErrPerToken).
func ClaimGroups(path string) warden.GroupsProvider {
	keys, err := claimread.ParsePath(path)
	if err != nil {
		return warden.ProviderFunc(func(context.Context, *warden.Token) ([]string, error) { return nil, err })
	}
	return claimGroups{paths: [][]string{keys}}
}

// claimGroups is ClaimGroups' provider. It only reads the token, and says
// so (sharedtoken.Reader), so that the middleware hands it the verified
// token without copying it.
type claimGroups struct{ paths [][]string }

// Fetch implements warden.Provider.
func (p claimGroups) Fetch(ctx context.Context, tok *warden.Token) ([]string, error) {
	if err := claimread.Check(ctx, tok); err != nil {
		return nil, err
	}
	list, _, err := claimread.First(tok.Claims, p.paths)
	return list, err
}

// ReadsTokenOnly implements sharedtoken.Reader: Fetch neither modifies the
// token nor keeps anything of it (claimread.First returns a new list).
func (claimGroups) ReadsTokenOnly(sharedtoken.Mark) {}
