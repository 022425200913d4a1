package postsdemo

import (
	"context"
	"slices"

	"github.com/wardenhq/warden/adapters"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware/token"
	"github.com/wardenhq/warden/permission"
)

// SQLGroups returns the caller's direct groups from the g rules stored in
// SQL (the shared policy).
func SQLGroups(e *enforcer.Enforcer) adapters.GroupsProvider {
	return adapters.GroupsFunc(func(_ context.Context, tok *adapters.Token) ([]string, error) {
		var out []string
		for _, r := range e.Rules("g") {
			if len(r.Values) >= 2 && r.Values[0] == tok.Identity {
				out = append(out, r.Values[1])
			}
		}
		return out, nil
	})
}

// EffectivePermissions returns the permissions the caller holds through the
// shared policy and the token's groups claim: the "p" rules of the caller,
// of its groups, and of their groups in turn, as permission strings (deny
// rules as "!perm"). It reads the policy only; the token's groups are never
// written anywhere.
func EffectivePermissions(e *enforcer.Enforcer) adapters.PermissionsProvider {
	return adapters.PermissionsFunc(func(_ context.Context, tok *adapters.Token) ([]string, error) {
		claimed, err := token.ClaimStrings(tok.Claims, "groups")
		if err != nil {
			return nil, err
		}
		subjects := []string{tok.Identity}
		subjects = append(subjects, claimed...)
		g := e.Rules("g")
		for i := 0; i < len(subjects); i++ { // breadth-first over role links
			for _, r := range g {
				if len(r.Values) >= 2 && r.Values[0] == subjects[i] && !slices.Contains(subjects, r.Values[1]) {
					subjects = append(subjects, r.Values[1])
				}
			}
		}
		var perms []string
		for _, r := range e.Rules("p") {
			if len(r.Values) > 0 && slices.Contains(subjects, r.Values[0]) {
				if p, ok := permission.FromRule(r); ok && !slices.Contains(perms, p) {
					perms = append(perms, p)
				}
			}
		}
		return perms, nil
	})
}
