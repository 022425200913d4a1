package postsdemo

import (
	"context"
	"slices"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware/token"
	"github.com/wardenhq/warden/permission"
)

// SQLGroups returns the roles the caller reaches through the g rules stored
// in SQL (the shared policy), read from the enforcer's index: the cost
// follows the caller's roles, not the size of the policy.
func SQLGroups(e *enforcer.Enforcer) warden.GroupsProvider {
	return warden.ProviderFunc(func(ctx context.Context, tok *warden.Token) ([]string, error) {
		return e.Roles(ctx, enforcer.Subject{Name: tok.Identity})
	})
}

// tokenGroups reads the token's "groups" claim.
var tokenGroups = token.ClaimGroups("groups")

// EffectivePermissions returns the permissions the caller holds through the
// shared policy and the token's groups claim: the "p" rules the caller and
// its groups reach, as permission strings (deny rules as "!perm"). The
// token's groups are request-scoped: they are never written anywhere.
func EffectivePermissions(e *enforcer.Enforcer) warden.PermissionsProvider {
	return warden.ProviderFunc(func(ctx context.Context, tok *warden.Token) ([]string, error) {
		claimed, err := tokenGroups.Fetch(ctx, tok)
		if err != nil {
			return nil, err
		}
		grants, err := e.RulesFor(ctx, enforcer.Subject{Name: tok.Identity, Groups: claimed})
		if err != nil {
			return nil, err
		}
		var perms []string
		for _, g := range grants {
			if p, ok := permission.FromRule(g.Rule); ok && !slices.Contains(perms, p) {
				perms = append(perms, p)
			}
		}
		return perms, nil
	})
}
