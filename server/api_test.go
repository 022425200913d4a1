package server_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/server"
)

func TestCheck(t *testing.T) {
	forEachBackend(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		root := tok(t, "root", nil, nil)
		tests := []struct {
			name    string
			body    string
			allowed bool
			effect  string
			rule    []string
			chain   []string
		}{
			{"viewer reads", `{"sub":"carol","obj":"/posts/42","act":"GET"}`, true, "allow",
				[]string{"viewer", "/posts/:id", "GET", "allow"}, []string{"carol", "viewer"}},
			{"first matching rule in policy order, two roles away", `{"sub":"alice","obj":"/posts/1/comments","act":"POST"}`, true, "allow",
				[]string{"editor", "/posts/:id/comments", "POST", "allow"}, []string{"alice", "admin", "editor"}},
			{"admin's own rule", `{"sub":"alice","obj":"/users/7","act":"PATCH"}`, true, "allow",
				[]string{"admin", "/*", "*", "allow"}, []string{"alice", "admin"}},
			{"deny wins over admin", `{"sub":"alice","obj":"/audit/2026","act":"DELETE"}`, false, "deny",
				[]string{"admin", "/audit/*", "DELETE", "deny"}, []string{"alice", "admin"}},
			{"bob's own deny", `{"sub":"bob","obj":"/posts/1/comments","act":"GET"}`, false, "deny",
				[]string{"bob", "/posts/:id/comments", "*", "deny"}, []string{"bob"}},
			{"no rule", `{"sub":"mallory","obj":"/posts","act":"GET"}`, false, "none", nil, []string{}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res := e.do("POST", "/v1/check", root, tt.body)
				if res.status != http.StatusOK {
					t.Fatalf("status %d: %s", res.status, res.body)
				}
				var got server.CheckResult
				res.json(t, &got)
				if got.Allowed != tt.allowed || got.Effect != tt.effect || !slices.Equal(got.Chain, tt.chain) {
					t.Errorf("got %+v, want allowed=%v effect=%s chain=%v", got, tt.allowed, tt.effect, tt.chain)
				}
				switch {
				case tt.rule == nil && got.Rule != nil:
					t.Errorf("rule = %+v, want none", got.Rule)
				case tt.rule != nil && (got.Rule == nil || got.Rule.PType != "p" || !slices.Equal(got.Rule.Values, tt.rule)):
					t.Errorf("rule = %+v, want %v", got.Rule, tt.rule)
				}
			})
		}
		t.Run("list", func(t *testing.T) {
			var body []string
			for _, tt := range tests {
				body = append(body, tt.body)
			}
			res := e.do("POST", "/v1/check", root, "["+strings.Join(body, ",")+"]")
			if res.status != http.StatusOK {
				t.Fatalf("status %d: %s", res.status, res.body)
			}
			var got server.CheckList
			res.json(t, &got)
			if len(got.Decisions) != len(tests) {
				t.Fatalf("got %d decisions", len(got.Decisions))
			}
			for i, tt := range tests {
				if d := got.Decisions[i]; d.Allowed != tt.allowed || d.Effect != tt.effect || d.Request["sub"] == nil {
					t.Errorf("decision %d = %+v", i, d)
				}
			}
		})
	})
}

func TestValidation(t *testing.T) {
	forEachBackend(t, func(t *testing.T, open opener) {
		e := newEnv(t, open, server.WithMaxBodyBytes(4096))
		root := tok(t, "root", nil, nil)
		big := `{"sub":"` + strings.Repeat("a", 5000) + `","obj":"/x","act":"GET"}`
		tests := []struct {
			name, method, path, body string
			want                     int
			field                    string
		}{
			{"check unknown field", "POST", "/v1/check", `{"sub":"a","obj":"/","act":"GET","extra":"x"}`, 400, "extra"},
			{"check missing field", "POST", "/v1/check", `{"sub":"a","obj":"/"}`, 400, "act"},
			{"check number", "POST", "/v1/check", `{"sub":"a","obj":"/","act":7}`, 400, "act"},
			{"check empty subject", "POST", "/v1/check", `{"sub":"","obj":"/","act":"GET"}`, 400, "sub"},
			{"check object subject", "POST", "/v1/check", `{"sub":{"a":1},"obj":"/","act":"GET"}`, 400, "sub"},
			{"check list item", "POST", "/v1/check", `[{"sub":"a","obj":"/","act":"GET"},{"sub":"a","obj":"/"}]`, 400, "[1].act"},
			{"check empty list", "POST", "/v1/check", `[]`, 400, ""},
			{"check malformed", "POST", "/v1/check", `{"sub":`, 400, ""},
			{"check trailing data", "POST", "/v1/check", `{"sub":"a","obj":"/","act":"GET"} {}`, 400, ""},
			{"check scalar", "POST", "/v1/check", `"alice"`, 400, ""},
			{"check body too large", "POST", "/v1/check", big, 413, ""},
			{"check no body", "POST", "/v1/check", "", 400, ""},
			{"grant unknown field", "POST", "/v1/rules", `{"ptype":"p","values":["a","/","GET","allow"],"why":"x"}`, 400, "why"},
			{"grant no ptype", "POST", "/v1/rules", `{"values":["a","/","GET","allow"]}`, 400, "ptype"},
			{"grant unknown ptype", "POST", "/v1/rules", `{"ptype":"p9","values":["a","/","GET","allow"]}`, 400, "ptype"},
			{"grant wrong count", "POST", "/v1/rules", `{"ptype":"p","values":["a","/","GET"]}`, 400, "values"},
			{"grant bad eft", "POST", "/v1/rules", `{"ptype":"p","values":["a","/","GET","maybe"]}`, 400, "values[3]"},
			{"grant empty value", "POST", "/v1/rules", `{"ptype":"p","values":["","/","GET","allow"]}`, 400, "values[0]"},
			{"grant padded value", "POST", "/v1/rules", `{"ptype":"p","values":[" a","/","GET","allow"]}`, 400, "values[0]"},
			{"grant long value", "POST", "/v1/rules", `{"ptype":"p","values":["` + strings.Repeat("a", 101) + `","/","GET","allow"]}`, 400, "values[0]"},
			{"grant control char", "POST", "/v1/rules", `{"ptype":"p","values":["a\n","/","GET","allow"]}`, 400, "values[0]"},
			{"grant values not strings", "POST", "/v1/rules", `{"ptype":"p","values":[1,2,3,4]}`, 400, "values"},
			{"grant both forms", "POST", "/v1/rules", `{"ptype":"p","values":["a","/","GET","allow"],"rules":[]}`, 400, "rules"},
			{"grant empty", "POST", "/v1/rules", `{}`, 400, "rules"},
			{"grant list item", "POST", "/v1/rules", `{"rules":[{"ptype":"g","values":["a","b"]},{"ptype":"g","values":["a"]}]}`, 400, "rules[1].values"},
			{"grant list unknown field", "POST", "/v1/rules", `{"rules":[{"ptype":"g","values":["a","b"],"x":1}]}`, 400, "rules[0].x"},
			{"group missing role", "POST", "/v1/groups", `{"member":"a"}`, 400, "role"},
			{"group with domain", "POST", "/v1/groups", `{"member":"a","role":"b","domain":"d"}`, 400, "domain"},
			{"group p ptype", "POST", "/v1/groups", `{"ptype":"p","member":"a","role":"b"}`, 400, "ptype"},
			{"group unknown field", "DELETE", "/v1/groups", `{"member":"a","role":"b","user":"c"}`, 400, "user"},
			{"list bad ptype", "GET", "/v1/rules?ptype=zz", "", 400, "ptype"},
			{"list bad limit", "GET", "/v1/rules?limit=0", "", 400, "limit"},
			{"list huge limit", "GET", "/v1/rules?limit=100000", "", 400, "limit"},
			{"list bad offset", "GET", "/v1/rules?offset=-1", "", 400, "offset"},
			{"list bad scope", "GET", "/v1/rules?scope=other", "", 400, "scope"},
			{"list empty subject", "GET", "/v1/rules?subject=", "", 400, "subject"},
			{"admin permission with a space", "POST", "/v1/rules?scope=admin", `{"ptype":"p","values":["a","warden admin","allow"]}`, 400, "values[1]"},
			{"admin deny written with !", "POST", "/v1/rules?scope=admin", `{"rules":[{"ptype":"p","values":["a","!warden:admin","allow"]}]}`, 400, "rules[0].values[1]"},
			{"audit bad after_id", "GET", "/v1/audit?after_id=x", "", 400, "after_id"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res := e.do(tt.method, tt.path, root, tt.body)
				if res.status != tt.want {
					t.Fatalf("status = %d, want %d; body %s", res.status, tt.want, res.body)
				}
				b := res.errorBody(t)
				if b.Field != tt.field || b.Message == "" || b.RequestID == "" {
					t.Errorf("body = %s, want field %q", res.body, tt.field)
				}
			})
		}
		// Nothing was granted by any of them.
		entries, err := e.audit.List(t.Context(), audit.Query{Actor: "root"})
		if err != nil || len(entries) != 0 {
			t.Errorf("audit entries after invalid requests: %v %v", entries, err)
		}
	})
}

func TestCheckListLimit(t *testing.T) {
	e := newEnv(t, dbtest.SQLite)
	many := "[" + strings.TrimSuffix(strings.Repeat(`{"sub":"a","obj":"/","act":"GET"},`, server.MaxCheckItems+1), ",") + "]"
	res := e.do("POST", "/v1/check", tok(t, "a", nil, nil), many)
	if res.status != http.StatusBadRequest || !strings.Contains(res.errorBody(t).Message, fmt.Sprint(server.MaxCheckItems)) {
		t.Fatalf("status = %d; body %s", res.status, res.body)
	}
}
