package token_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters"
	claimsource "github.com/wardenhq/warden/adapters/claims"
	"github.com/wardenhq/warden/middleware/token"
)

// ClaimGroups reads a claim exactly as adapters/claims does with that one
// path, without importing it: the same lists, the same errors, on every
// shape of claim and path.
func TestClaimGroupsReadsAsClaims(t *testing.T) {
	tokens := []*warden.Token{
		{Identity: "a", Claims: map[string]any{"groups": []any{"b", "a", "b", ""}}},
		{Identity: "a", Claims: map[string]any{"groups": "x, y z"}},
		{Identity: "a", Claims: map[string]any{"groups": nil}},
		{Identity: "a", Claims: map[string]any{}},
		{Identity: "a", Claims: map[string]any{"groups": 7.0}},
		{Identity: "a", Claims: map[string]any{"groups": []any{"a", true}}},
		{Identity: "a", Claims: map[string]any{"realm_access": map[string]any{"roles": []any{"editor"}}}},
		{Identity: "a", Claims: map[string]any{"realm_access": "roles"}},
		{Identity: "a", Claims: map[string]any{"a.b": []any{"dotted"}}},
		{Identity: "a"}, // no claims
		nil,
	}
	for _, path := range []string{"groups", token.KeycloakGroupsClaim, `a\.b`, "", "a..b", `a\x`} {
		fromToken := token.ClaimGroups(path)
		var fromClaims warden.Provider
		cp, err := claimsource.New(claimsource.WithGroupsClaim(path))
		if err != nil {
			fromClaims = warden.ProviderFunc(func(context.Context, *warden.Token) ([]string, error) { return nil, err })
		} else {
			fromClaims = warden.ProviderFunc(cp.Groups)
		}
		for i, tok := range tokens {
			got, gotErr := fromToken.Fetch(context.Background(), tok)
			want, wantErr := fromClaims.Fetch(context.Background(), tok)
			if fmt.Sprint(got) != fmt.Sprint(want) || fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
				t.Errorf("path %q, token %d: ClaimGroups = %v, %v; claims = %v, %v", path, i, got, gotErr, want, wantErr)
			}
			if gotErr != nil && !errors.Is(gotErr, warden.ErrInvalid) {
				t.Errorf("path %q, token %d: %v does not match warden.ErrInvalid", path, i, gotErr)
			}
		}
	}
}

// A cache's load shares its answer by identity; the token's claims are its
// own, so ClaimGroups refuses, as every claims source does.
func TestClaimGroupsRefusesSharing(t *testing.T) {
	tok := &warden.Token{Identity: "a", Claims: map[string]any{"groups": []any{"admin"}}}
	got, err := token.ClaimGroups("groups").Fetch(adapters.ShareByIdentity(context.Background()), tok)
	if got != nil || !errors.Is(err, adapters.ErrPerToken) {
		t.Fatalf("got %v, %v; want nil and adapters.ErrPerToken", got, err)
	}
}
