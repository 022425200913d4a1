package middleware_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/token"
)

// A caller authn.Identify returned is another Auth's caller, as the state's
// user is: authz.Decide must decide it with authz's providers (its doc),
// not authn's groups claim. reuse only recognises the state's own user, so
// a token claiming admin reaches admin's rules.
func TestDecideOfIdentifiedCallerOfAnotherAuthUsesOwnProviders(t *testing.T) {
	key := hmacKey(t)
	v := newVerifier(t, token.WithHMACSecret(key.Signer.([]byte)))
	e := newEnforcer(t, "rbac", enforcer.P("admin", "/secret", "GET"))
	authn, err := middleware.New(middleware.WithVerifier(v), middleware.WithLogger(discard()),
		middleware.WithGroups(token.ClaimGroups("groups")))
	if err != nil {
		t.Fatal(err)
	}
	fromStore := warden.ProviderFunc(func(context.Context, *warden.Token) ([]string, error) { return []string{"viewer"}, nil })
	authz, err := middleware.New(middleware.WithVerifier(v), middleware.WithDecider(e), middleware.WithLogger(discard()),
		middleware.WithGroups(fromStore))
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/secret", nil)
	r.Header = bearer(key.Sign(t, claimsFor("mallory", "admin")))
	u, err := authn.Identify(r)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := authz.Decide(r, u, []any{u.ID(), "/secret", "GET"}); err == nil {
		t.Error("authz.Decide allowed authn's caller through authn's groups claim; want 403")
	}
}
