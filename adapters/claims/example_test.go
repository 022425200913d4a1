package claims_test

import (
	"context"
	"fmt"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters/claims"
)

// Keycloak puts realm roles and client roles in different claims; the first
// one present wins. This is the snippet of docs/providers.md.
func ExampleWithGroupsClaim() {
	// docs:begin claims
	p, err := claims.New(
		claims.WithGroupsClaim("realm_access.roles"),           // Keycloak realm roles
		claims.WithGroupsClaim("resource_access.my-api.roles"), // fallback: client roles
	)
	// docs:end claims
	if err != nil {
		panic(err)
	}
	realm := &warden.Token{Identity: "alice", Claims: map[string]any{
		"realm_access":    map[string]any{"roles": []any{"admin"}},
		"resource_access": map[string]any{"my-api": map[string]any{"roles": []any{"editor"}}},
	}}
	client := &warden.Token{Identity: "bob", Claims: map[string]any{
		"resource_access": map[string]any{"my-api": map[string]any{"roles": []any{"editor"}}},
	}}
	for _, tok := range []*warden.Token{realm, client} {
		groups, err := p.Groups(context.Background(), tok)
		fmt.Println(tok.Identity, groups, err)
	}
	// Output:
	// alice [admin] <nil>
	// bob [editor] <nil>
}
