package token

import (
	"context"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters/claims"
)

// ClaimGroups returns a GroupsProvider that reads groups from one claim of
// the verified token, such as "groups" or KeycloakGroupsClaim
// ("realm_access.roles"). It is adapters/claims with that one path: a list
// or a space- or comma-separated string, a missing claim is no groups, and a
// claim of the wrong shape is an error so that a misconfigured path is
// noticed instead of silently granting nothing. A path that cannot be parsed
// makes every fetch fail, so that the request is refused.
func ClaimGroups(path string) warden.GroupsProvider {
	p, err := claims.New(claims.WithGroupsClaim(path))
	if err != nil {
		return warden.ProviderFunc(func(context.Context, *warden.Token) ([]string, error) { return nil, err })
	}
	return warden.ProviderFunc(p.Groups)
}
