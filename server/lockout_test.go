package server_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/policyadmin"
)

// TestAdminLockoutRefused: an admin-scope change that would leave no
// subject holding warden:admin is refused with 409 naming the rule, changes
// nothing and writes no audit row; the others go through.
func TestAdminLockoutRefused(t *testing.T) {
	forEachBackend(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		root := tok(t, "root", nil, nil)
		seedRule := `{"ptype":"p","values":["warden-admin","warden:*","allow"]}`
		tests := []struct {
			name, method, path, body string
			field                    string
		}{
			{"revoke of the only admin grant", "DELETE", "/v1/rules?scope=admin", seedRule, "values"},
			{"revoke of the last member of the admin role", "DELETE", "/v1/rules?scope=admin", `{"ptype":"g","values":["root","warden-admin"]}`, "values"},
			{"deny for the admin role", "POST", "/v1/rules?scope=admin", `{"ptype":"p","values":["warden-admin","warden:admin","deny"]}`, "values"},
			{"the culprit of a list", "DELETE", "/v1/rules?scope=admin",
				`{"rules":[{"ptype":"g","values":["nobody","warden-admin"]},` + seedRule + `]}`, "rules[1]"},
		}
		before := policyadmin.AllRules(e.admin)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res := e.do(tt.method, tt.path, root, tt.body)
				if res.status != http.StatusConflict {
					t.Fatalf("status = %d, want 409; body %s", res.status, res.body)
				}
				b := res.errorBody(t)
				if b.Error != "conflict" || b.Field != tt.field || !strings.Contains(b.Message, "warden-admin") ||
					!strings.Contains(b.Message, "no identity of the admin policy with warden:admin") {
					t.Errorf("body = %s; want conflict on %s naming the rule", res.body, tt.field)
				}
			})
		}
		if after := policyadmin.AllRules(e.admin); !slices.EqualFunc(before, after, func(a, b enforcer.Rule) bool { return a.String() == b.String() }) {
			t.Errorf("admin policy changed: %v -> %v", before, after)
		}
		if res := e.do("GET", "/v1/rules", root, ""); res.status != http.StatusOK {
			t.Errorf("root can no longer manage: %d", res.status)
		}
		if entries, _ := e.audit.List(t.Context(), audit.Query{Actor: "root"}); len(entries) != 0 {
			t.Errorf("refused changes were audited: %+v", entries)
		}

		// With a second admin subject, the same revoke is fine: ops keeps
		// warden:admin of its own.
		if res := e.do("POST", "/v1/rules?scope=admin", root, `{"ptype":"p","values":["ops","warden:admin","allow"]}`); res.status != http.StatusOK {
			t.Fatalf("grant ops: %d %s", res.status, res.body)
		}
		if res := e.do("DELETE", "/v1/rules?scope=admin", root, seedRule); res.status != http.StatusOK {
			t.Fatalf("revoke with ops left: %d %s", res.status, res.body)
		}
		if res := e.do("GET", "/v1/rules", tok(t, "ops", nil, nil), ""); res.status != http.StatusOK {
			t.Errorf("ops cannot manage: %d", res.status)
		}
	})
}

// TestUnknownQueryParameters: a query parameter an endpoint does not read
// is refused with 400 naming it, instead of being ignored (a misspelt
// ?Scope=admin would otherwise change the served policy).
func TestUnknownQueryParameters(t *testing.T) {
	e := newEnv(t, dbtest.SQLite)
	root := tok(t, "root", nil, nil)
	grant := `{"ptype":"g","values":["quentin","warden-admin"]}`
	tests := []struct{ method, path, body, field string }{
		{"POST", "/v1/rules?Scope=admin", grant, "Scope"},
		{"DELETE", "/v1/rules?scope=admin&dry_run=1", grant, "dry_run"},
		{"POST", "/v1/rules?scope=admin&scope=policy", grant, "scope"},
		{"POST", "/v1/groups?scop=admin", `{"member":"quentin","role":"warden-admin"}`, "scop"},
		{"GET", "/v1/rules?ptype=g&sub=bob", "", "sub"},
		{"GET", "/v1/policy.csv?format=json", "", "format"},
		{"GET", "/v1/audit?after=3", "", "after"},
		{"POST", "/v1/check?explain=1", `{"sub":"root","obj":"/posts","act":"GET"}`, "explain"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			res := e.do(tt.method, tt.path, root, tt.body)
			if res.status != http.StatusBadRequest {
				t.Fatalf("status = %d, want 400; body %s", res.status, res.body)
			}
			if b := res.errorBody(t); b.Error != "invalid_request" || b.Field != tt.field {
				t.Errorf("body = %s; want invalid_request on %s", res.body, tt.field)
			}
		})
	}
	if slices.ContainsFunc(policyadmin.AllRules(e.policy), func(r enforcer.Rule) bool { return r.Values[0] == "quentin" }) ||
		slices.ContainsFunc(policyadmin.AllRules(e.admin), func(r enforcer.Rule) bool { return r.Values[0] == "quentin" }) {
		t.Error("a refused request changed a policy")
	}
	// Unknown parameters are refused only after authorization: an
	// unauthenticated caller learns nothing more than 401.
	if res := e.do("GET", "/v1/rules?x=1", "", ""); res.status != http.StatusUnauthorized {
		t.Errorf("without a token: %d", res.status)
	}
	if res := e.do("GET", "/v1/rules?x=1", tok(t, "nobody", nil, nil), ""); res.status != http.StatusForbidden {
		t.Errorf("without rights: %d", res.status)
	}
}

// TestLockoutCountsIdentitiesNotRoles is issue 10 item 14: alice is the
// only user holding warden:admin, through the role root-admin, itself a
// member of warden-admin. "p, root-admin, *, deny" denies alice and
// root-admin; warden-admin, a role, still holds warden:admin, but no user
// reaches it: the change is refused. On the real admin permissions model,
// on every backend.
func TestLockoutCountsIdentitiesNotRoles(t *testing.T) {
	forEachBackend(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		for _, step := range []struct {
			by, method, body string
			status           int
		}{
			{"root", "POST", `{"ptype":"g","values":["root-admin","warden-admin"]}`, http.StatusOK},
			{"root", "POST", `{"ptype":"g","values":["alice","root-admin"]}`, http.StatusOK},
			{"alice", "DELETE", `{"ptype":"g","values":["root","warden-admin"]}`, http.StatusOK}, // alice is left
			{"alice", "POST", `{"ptype":"p","values":["root-admin","*","deny"]}`, http.StatusConflict},
			{"alice", "POST", `{"ptype":"p","values":["alice","warden:admin","deny"]}`, http.StatusConflict},
			{"alice", "DELETE", `{"ptype":"g","values":["alice","root-admin"]}`, http.StatusConflict},        // root-admin stays a role
			{"alice", "DELETE", `{"ptype":"g","values":["root-admin","warden-admin"]}`, http.StatusConflict}, // so does warden-admin
			{"alice", "POST", `{"ptype":"p","values":["ops","warden:*","allow"]}`, http.StatusOK},            // a second user
			{"alice", "POST", `{"ptype":"p","values":["root-admin","*","deny"]}`, http.StatusOK},
		} {
			res := e.do(step.method, "/v1/rules?scope=admin", tok(t, step.by, nil, nil), step.body)
			if res.status != step.status {
				t.Fatalf("%s: %s %s: %d %s, want %d", step.by, step.method, step.body, res.status, res.body, step.status)
			}
		}
		for by, want := range map[string]int{"ops": http.StatusOK, "alice": http.StatusForbidden} {
			if res := e.do("GET", "/v1/rules", tok(t, by, nil, nil), ""); res.status != want {
				t.Errorf("%s lists rules: %d, want %d", by, res.status, want)
			}
		}
	})
}
