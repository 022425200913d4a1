package server_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
)

// TestPermissionStarOnlyAtTheEnd: the permissions model matches with
// Casbin's keyMatch, which ignores everything after the first "*": a
// permission "*:read" is "*". A token claiming "*:read" was a Warden
// administrator, and an admin grant of "*:read" made one. Such a
// permission cannot be matched as written: the claim grants nothing, a
// deny so written fails closed, and the grant is refused naming the value.
func TestPermissionStarOnlyAtTheEnd(t *testing.T) {
	e := newEnv(t, dbtest.SQLite)
	for _, perms := range [][]string{{"*:read"}, {"warden:*check"}, {"read:*:own"}} {
		if res := e.do("GET", "/v1/rules", tok(t, "alice", nil, perms), ""); res.status != http.StatusForbidden {
			t.Errorf("token with permissions %q: GET /v1/rules = %d %s, want 403", perms, res.status, res.body)
		}
	}
	// A deny so written fails closed, even for an administrator's token.
	if res := e.do("GET", "/v1/rules", tok(t, "root", nil, []string{"!*:write"}), ""); res.status != http.StatusForbidden {
		t.Errorf("root with !*:write: GET /v1/rules = %d, want 403", res.status)
	}
	root := tok(t, "root", nil, nil)
	before := e.do("GET", "/v1/policy.csv?scope=admin", root, "")
	for _, body := range []struct{ body, field string }{
		{`{"ptype":"p","values":["bob","*:read","allow"]}`, "values[1]"},
		{`{"rules":[{"ptype":"p","values":["bob","warden:check","allow"]},{"ptype":"p","values":["bob","warden:*x","allow"]}]}`, "rules[1].values[1]"},
	} {
		res := e.do("POST", "/v1/rules?scope=admin", root, body.body)
		if res.status != http.StatusBadRequest || res.errorBody(t).Field != body.field {
			t.Errorf("grant %s = %d %s, want 400 naming %s", body.body, res.status, res.body, body.field)
		}
	}
	if after := e.do("GET", "/v1/policy.csv?scope=admin", root, ""); string(after.body) != string(before.body) {
		t.Errorf("admin policy changed by refused grants:\n%s\nwas\n%s", after.body, before.body)
	}
	if res := e.do("GET", "/v1/rules", tok(t, "bob", nil, nil), ""); res.status != http.StatusForbidden {
		t.Errorf("bob after refused grants: GET /v1/rules = %d, want 403", res.status)
	}
	// A rule so written and stored before can still be revoked.
	if _, err := e.admin.AddRules(context.Background(), enforcer.P("carol", "*:read", "allow")); err != nil {
		t.Fatal(err)
	}
	if res := e.do("DELETE", "/v1/rules?scope=admin", root, `{"ptype":"p","values":["carol","*:read","allow"]}`); res.status != http.StatusOK {
		t.Errorf("revoke of a stored *:read = %d %s, want 200", res.status, res.body)
	}
	// A trailing star still works.
	if res := e.do("GET", "/v1/rules", tok(t, "alice", nil, []string{"warden:*"}), ""); res.status != http.StatusOK {
		t.Errorf("token with warden:*: GET /v1/rules = %d, want 200", res.status)
	}
}
