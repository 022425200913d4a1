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
	return &claimGroups{paths: [][]string{keys}}
}

// claimGroups is ClaimGroups' provider. It only reads the token, and says
// so (sharedtoken.Reader), so that the middleware hands it the verified
// token without copying it; its list is a function of the claims alone
// (sharedtoken.MemoReader), so that the middleware may keep it with a
// cached token instead of reading the claim again on every request. It is
// a pointer: the Memo tells providers apart by it.
type claimGroups struct{ paths [][]string }

// Fetch implements warden.Provider.
func (p *claimGroups) Fetch(ctx context.Context, tok *warden.Token) ([]string, error) {
	return p.FetchShared(ctx, tok, nil)
}

// FetchShared implements sharedtoken.MemoReader: the list read for the
// cached token tok is kept in its Memo m (nil: none). claimread.Check,
// which reads the context (a cache's load is refused), runs on every
// call; only the list comes from m. A refusal is not kept.
func (p *claimGroups) FetchShared(ctx context.Context, tok *warden.Token, m *sharedtoken.Memo) ([]string, error) {
	if err := claimread.Check(ctx, tok); err != nil {
		return nil, err
	}
	if list, ok := m.Groups(p); ok {
		return list, nil
	}
	list, _, err := claimread.First(tok.Claims, p.paths)
	if err == nil {
		m.SetGroups(p, list)
	}
	return list, err
}

// ReadsTokenOnly implements sharedtoken.Reader: Fetch neither modifies the
// token nor keeps anything of it (claimread.First returns a new list).
func (*claimGroups) ReadsTokenOnly(sharedtoken.Mark) {}
