package token_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/wardenhq/warden/adapters"
	"github.com/wardenhq/warden/middleware/internal/jwttest"
	"github.com/wardenhq/warden/middleware/internal/sharedtoken"
	"github.com/wardenhq/warden/middleware/token"
)

// The groups ClaimGroups reads for a cached token are kept in the cache
// entry's Memo, one per token: a token of the same identity with other
// groups has its own entry and its own list; a verifier without a cache
// has no Memo; and every check Fetch runs on the context (a cache's load
// is refused, adapters.ErrPerToken) still runs when the list is kept.
func TestClaimGroupsMemo(t *testing.T) {
	hs := jwttest.Secret(t)
	v := newVerifier(t, token.WithHMACSecret(hs.Signer.([]byte)))
	ctx := context.Background()
	p := token.ClaimGroups("groups").(sharedtoken.MemoReader)
	fetch := func(v *token.Verifier, raw string, ctx context.Context) ([]string, *sharedtoken.Memo, error) {
		t.Helper()
		tok, shared, memo, err := sharedtoken.VerifyHeader(v, context.Background(), http.Header{"Authorization": {"Bearer " + raw}})
		if err != nil || !shared {
			t.Fatalf("verify: %v, shared %v", err, shared)
		}
		g, err := p.FetchShared(ctx, tok, memo)
		return g, memo, err
	}
	viewer := hs.Sign(t, claims(func(c jwt.MapClaims) { c["groups"] = []any{"viewer"} }))
	admin := hs.Sign(t, claims(func(c jwt.MapClaims) { c["groups"] = []any{"admin"} })) // the same identity
	first, m1, err := fetch(v, viewer, ctx)
	if err != nil || m1 == nil || !slices.Equal(first, []string{"viewer"}) {
		t.Fatalf("first fetch: %q, memo %p, %v", first, m1, err)
	}
	again, m2, err := fetch(v, viewer, ctx)
	if err != nil || m2 != m1 || !slices.Equal(again, first) || &again[0] != &first[0] {
		t.Fatalf("second fetch of the cached token: %q, memo %p (first %p), %v; want the kept list", again, m2, m1, err)
	}
	other, m3, err := fetch(v, admin, ctx)
	if err != nil || m3 == m1 || !slices.Equal(other, []string{"admin"}) {
		t.Fatalf("another token of the same identity: %q, memo %p (first %p), %v", other, m3, m1, err)
	}
	if _, _, err := fetch(v, viewer, adapters.ShareByIdentity(ctx)); !errors.Is(err, adapters.ErrPerToken) {
		t.Fatalf("a cache's load with the list kept: %v, want ErrPerToken", err)
	}
	nocache := newVerifier(t, token.WithHMACSecret(hs.Signer.([]byte)), token.WithCache(0))
	if _, m, err := fetch(nocache, viewer, ctx); err != nil || m != nil {
		t.Fatalf("without a cache: memo %p, %v; want none", m, err)
	}
}
