package middleware_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/token"
)

// twoDefinitions decides r/p/m by role and path, r2/p2/m2 by the caller's
// own name only: under definition 2 a group's rules grant nothing.
const twoDefinitions = `[request_definition]
r = sub, obj, act
r2 = sub, obj, act
[policy_definition]
p = sub, obj, act
p2 = sub, obj, act
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow))
e2 = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act
m2 = r2.sub == p2.sub && r2.obj == p2.obj && r2.act == p2.act`

// TestWithDefinition: an Auth WithDefinition decides every request with
// those definitions (Casbin's EnforceContext), one without it with r, p,
// e, m; a definition the model lacks fails closed with 403.
func TestWithDefinition(t *testing.T) {
	ctx := context.Background()
	m, err := enforcer.ParseModel(twoDefinitions)
	if err != nil {
		t.Fatal(err)
	}
	e, err := enforcer.New(ctx, m, nil, enforcer.WithLogger(discard()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddRules(ctx,
		enforcer.P("viewer", "/posts", "GET"),                                 // m: dave through his group
		enforcer.Rule{PType: "p2", Values: []string{"erin", "/posts", "GET"}}, // m2: erin by name
	); err != nil {
		t.Fatal(err)
	}
	key := hmacKey(t)
	v := newVerifier(t, token.WithHMACSecret(key.Signer.([]byte)))
	serve := func(opts ...middleware.Option) string {
		a, err := middleware.New(append([]middleware.Option{middleware.WithVerifier(v), middleware.WithDecider(e),
			middleware.WithGroups(token.ClaimGroups("groups")), middleware.WithLogger(discard())}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(a.Authorize(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	dave := key.Sign(t, claimsFor("dave", "viewer"))
	erin := key.Sign(t, claimsFor("erin"))
	daveAlone := key.Sign(t, claimsFor("dave")) // no groups claim
	for _, tc := range []struct {
		name string
		url  string
		tok  string
		want int
	}{
		{"default definition, by group", serve(), dave, http.StatusNoContent},
		{"default definition, no p2 rule applies", serve(), erin, http.StatusForbidden},
		{"definition 2, by name", serve(middleware.WithDefinition(enforcer.Definitions("2"))), erin, http.StatusNoContent},
		{"definition 2, no p2 rule for dave", serve(middleware.WithDefinition(enforcer.Definitions("2"))), daveAlone, http.StatusForbidden},
		// m2 calls no role function, so it cannot take the token's
		// groups: the enforcer refuses them (ErrUnsupported), 403.
		{"definition 2 with request-scoped groups", serve(middleware.WithDefinition(enforcer.Definitions("2"))), dave, http.StatusForbidden},
		{"a definition the model lacks", serve(middleware.WithDefinition(enforcer.Definitions("3"))), dave, http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := do(t, "GET", tc.url+"/posts", bearer(tc.tok)); got.status != tc.want {
				t.Fatalf("status %d, want %d (%s)", got.status, tc.want, got.body)
			}
		})
	}
}
