package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/policyadmin"
	"github.com/wardenhq/warden/server"
)

func TestAuthentication(t *testing.T) {
	forEachBackend(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		expired := "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJyb290In0.invalid"
		tests := []struct {
			name, method, path, bearer, body string
			want                             int
			wantCode                         string
		}{
			{"health needs no token", "GET", "/healthz", "", "", http.StatusOK, ""},
			{"ready needs no token", "GET", "/readyz", "", "", http.StatusOK, ""},
			{"no token on rules", "GET", "/v1/rules", "", "", http.StatusUnauthorized, "unauthorized"},
			{"no token on check", "POST", "/v1/check", "", `{"sub":"alice","obj":"/posts","act":"GET"}`, http.StatusUnauthorized, "unauthorized"},
			{"bad token", "GET", "/v1/rules", expired, "", http.StatusUnauthorized, "invalid_token"},
			{"no token on grant", "POST", "/v1/rules", "", `{"ptype":"p","values":["x","/y","GET","allow"]}`, http.StatusUnauthorized, "unauthorized"},
			{"no token on export", "GET", "/v1/policy.csv", "", "", http.StatusUnauthorized, "unauthorized"},
			{"unknown route is 404 with a token", "GET", "/v1/nope", tok(t, "root", nil, nil), "", http.StatusNotFound, "not_found"},
			{"unknown route is 404 without a token", "GET", "/nope", "", "", http.StatusNotFound, "not_found"},
			{"wrong method", "PUT", "/v1/rules", "", "", http.StatusMethodNotAllowed, "method_not_allowed"},
			{"wrong method on check", "GET", "/v1/check", "", "", http.StatusMethodNotAllowed, "method_not_allowed"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res := e.do(tt.method, tt.path, tt.bearer, tt.body)
				if res.status != tt.want {
					t.Fatalf("status = %d, want %d; body %s", res.status, tt.want, res.body)
				}
				if tt.wantCode != "" {
					var b struct{ Error string }
					res.json(t, &b)
					if b.Error != tt.wantCode {
						t.Errorf("error = %q, want %q", b.Error, tt.wantCode)
					}
				}
			})
		}
	})
}

// refused stands for "403 or 503" in a table of wanted statuses.
const refused = -1

func TestAdminAuthorization(t *testing.T) {
	forEachBackend(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		tests := []struct {
			name   string
			bearer string
			want   int
		}{
			{"admin through the admin policy", tok(t, "root", nil, nil), http.StatusOK},
			{"admin through a token group", tok(t, "dora", []string{"warden-admin"}, nil), http.StatusOK},
			{"admin through a token permission", tok(t, "erin", nil, []string{"warden:admin"}), http.StatusOK},
			{"wildcard permission", tok(t, "fred", nil, []string{"warden:*"}), http.StatusOK},
			{"a served-policy admin is no Warden admin", tok(t, "alice", nil, nil), http.StatusForbidden},
			{"check permission is not admin", tok(t, "gina", nil, []string{"warden:check"}), http.StatusForbidden},
			{"deny permission wins over the group", tok(t, "hank", []string{"warden-admin"}, []string{"!warden:admin"}), http.StatusForbidden},
			// Whether the claims provider refuses the claim (503) or passes it
			// on and the server refuses the malformed deny (403), no access.
			{"malformed deny permission fails closed", tok(t, "ivy", []string{"warden-admin"}, []string{"!bad perm"}), refused},
		}
		routes := []struct{ method, path, body string }{
			{"GET", "/v1/rules", ""},
			{"GET", "/v1/policy.csv", ""},
			{"GET", "/v1/audit", ""},
			// Revoking a rule that is absent changes nothing, so every
			// allowed caller can run it.
			{"DELETE", "/v1/rules", `{"ptype":"p","values":["nobody","/none","GET","allow"]}`},
			{"DELETE", "/v1/groups", `{"member":"nobody","role":"none"}`},
		}
		for _, tt := range tests {
			for _, rt := range routes {
				t.Run(tt.name+" "+rt.method+" "+rt.path, func(t *testing.T) {
					res := e.do(rt.method, rt.path, tt.bearer, rt.body)
					if tt.want == refused && (res.status == http.StatusForbidden || res.status == http.StatusServiceUnavailable) {
						return
					}
					if res.status != tt.want {
						t.Fatalf("status = %d, want %d; body %s", res.status, tt.want, res.body)
					}
					if tt.want == http.StatusForbidden && res.errorBody(t).Error != "forbidden" {
						t.Errorf("body = %s", res.body)
					}
				})
			}
		}
	})
}

func TestCheckAuthorization(t *testing.T) {
	forEachBackend(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		own := `{"sub":"carol","obj":"/posts","act":"GET"}`
		other := `[{"sub":"carol","obj":"/posts","act":"GET"},{"sub":"bob","obj":"/posts","act":"GET"}]`
		tests := []struct {
			name, bearer, body string
			want               int
		}{
			{"own subject needs only authentication", tok(t, "carol", nil, nil), own, http.StatusOK},
			{"another subject needs warden:check", tok(t, "carol", nil, nil), other, http.StatusForbidden},
			{"warden:check may ask about anyone", tok(t, "carol", nil, []string{"warden:check"}), other, http.StatusOK},
			{"admins may ask about anyone", tok(t, "root", nil, nil), other, http.StatusOK},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res := e.do("POST", "/v1/check", tt.bearer, tt.body)
				if res.status != tt.want {
					t.Fatalf("status = %d, want %d; body %s", res.status, tt.want, res.body)
				}
			})
		}
	})
}

func TestErrorsDoNotLeak(t *testing.T) {
	e := newEnv(t, dbtest.SQLite)
	sqlDB, err := e.db.DB.DB()
	if err != nil {
		t.Fatal(err)
	}
	if err := sqlDB.Close(); err != nil {
		t.Fatal(err)
	}
	root := tok(t, "root", nil, nil)
	res := e.do("POST", "/v1/rules", root, `{"ptype":"p","values":["zed","/z","GET","allow"]}`, "X-Request-Id", "leak-1")
	if res.status != http.StatusServiceUnavailable {
		t.Fatalf("status = %d, want 503; body %s", res.status, res.body)
	}
	b := res.errorBody(t)
	if b.Error != "unavailable" || b.RequestID != "leak-1" {
		t.Errorf("body = %s", res.body)
	}
	for _, s := range []string{"sql", "closed", "casbin", "gorm"} {
		if strings.Contains(strings.ToLower(string(res.body)), s) {
			t.Errorf("body leaks %q: %s", s, res.body)
		}
	}
	// The cause is in the log, under the request id.
	if !strings.Contains(e.logs.String(), "leak-1") || !strings.Contains(e.logs.String(), "closed") {
		t.Errorf("log lacks the cause: %s", e.logs.String())
	}
	// Decisions go on from the last good policy while the database is down.
	if res := e.do("POST", "/v1/check", root, `{"sub":"carol","obj":"/posts","act":"GET"}`); res.status != http.StatusOK || !strings.Contains(string(res.body), `"allowed":true`) {
		t.Errorf("check with the database down: %d %s", res.status, res.body)
	}
	// The failed rule is not decided as allowed.
	if res := e.do("POST", "/v1/check", root, `{"sub":"zed","obj":"/z","act":"GET"}`); res.status != http.StatusOK || strings.Contains(string(res.body), `"allowed":true`) {
		t.Errorf("check after failed grant: %d %s", res.status, res.body)
	}
	ready := e.do("GET", "/readyz", "", "")
	if ready.status != http.StatusServiceUnavailable || !strings.Contains(string(ready.body), `"database":"fail"`) {
		t.Errorf("readyz with a closed database: %d %s", ready.status, ready.body)
	}
}

// TestForbiddenChangesChangeNothing: callers without warden:admin are
// refused every grant and revoke, of the served policy and of the admin
// one (the obvious escalation: granting oneself warden-admin), and leave
// both policies and the audit log as they were.
func TestForbiddenChangesChangeNothing(t *testing.T) {
	forEachBackend(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		callers := []struct{ name, bearer string }{
			{"served-policy admin", tok(t, "alice", nil, nil)},
			{"check permission only", tok(t, "gina", nil, []string{"warden:check"})},
			{"deny permission over the group", tok(t, "hank", []string{"warden-admin"}, []string{"!warden:admin"})},
			{"malformed deny permission", tok(t, "ivy", []string{"warden-admin"}, []string{"!bad perm"})},
		}
		routes := []struct{ method, path, body string }{
			{"POST", "/v1/rules", `{"ptype":"p","values":["mallory","/admin","GET","allow"]}`},
			{"POST", "/v1/rules?scope=admin", `{"ptype":"p","values":["mallory","warden:admin","allow"]}`},
			{"POST", "/v1/groups?scope=admin", `{"member":"mallory","role":"warden-admin"}`},
			{"POST", "/v1/groups", `{"member":"mallory","role":"admin"}`},
			{"DELETE", "/v1/groups?scope=admin", `{"member":"root","role":"warden-admin"}`},
			{"DELETE", "/v1/rules", `{"ptype":"g","values":["alice","admin"]}`},
		}
		snapshot := func() string {
			var b strings.Builder
			for _, en := range []*enforcer.Enforcer{e.policy, e.admin} {
				for _, r := range policyadmin.AllRules(en) {
					b.WriteString(r.String() + "\n")
				}
			}
			return b.String()
		}
		before := snapshot()
		rows := func() int {
			entries, err := e.audit.List(t.Context(), audit.Query{Limit: server.MaxListLimit})
			if err != nil {
				t.Fatal(err)
			}
			return len(entries)
		}
		auditBefore := rows()
		for _, c := range callers {
			for _, rt := range routes {
				res := e.do(rt.method, rt.path, c.bearer, rt.body)
				if res.status != http.StatusForbidden && res.status != http.StatusServiceUnavailable {
					t.Errorf("%s: %s %s = %d, want 403; body %s", c.name, rt.method, rt.path, res.status, res.body)
				}
			}
		}
		if after := snapshot(); after != before {
			t.Errorf("forbidden changes changed a policy:\nbefore\n%s\nafter\n%s", before, after)
		}
		if n := rows(); n != auditBefore {
			t.Errorf("forbidden changes wrote %d audit rows", n-auditBefore)
		}
		// The escalation did not work either.
		if res := e.do("GET", "/v1/rules", tok(t, "mallory", nil, nil), ""); res.status != http.StatusForbidden {
			t.Errorf("mallory after the refused grants: %d", res.status)
		}
	})
}
