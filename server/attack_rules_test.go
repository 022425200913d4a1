package server_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/internal/rulecases"
	"github.com/wardenhq/warden/policyadmin"
)

// TestRuleValueAttacks runs the rule-value attack suite through the API:
// POST /v1/rules (one rule and a list) and, for role links, POST
// /v1/groups answer 400 naming the value at fault, and store nothing
// (issue 10, items 11, 12, 15).
func TestRuleValueAttacks(t *testing.T) {
	e := newEnv(t, dbtest.SQLite)
	root := tok(t, "root", nil, nil)
	before := len(e.policy.Rules("p")) + len(e.policy.Rules("g"))
	for _, tc := range rulecases.Cases {
		t.Run(tc.Name, func(t *testing.T) {
			one, _ := json.Marshal(map[string]any{"ptype": tc.Rule[0], "values": tc.Values()})
			list, _ := json.Marshal(map[string]any{"rules": []any{
				map[string]any{"ptype": "g", "values": []string{"dave", "viewer"}},
				map[string]any{"ptype": tc.Rule[0], "values": tc.Values()},
			}})
			sends := []struct{ path, body, field string }{
				{"/v1/rules", string(one), fmt.Sprintf("values[%d]", tc.Index)},
				{"/v1/rules", string(list), fmt.Sprintf("rules[1].values[%d]", tc.Index)},
			}
			if tc.Rule[0] == "g" {
				g, _ := json.Marshal(map[string]string{"member": tc.Rule[1], "role": tc.Rule[2]})
				sends = append(sends, struct{ path, body, field string }{"/v1/groups", string(g), tc.Field})
			}
			for _, s := range sends {
				res := e.do("POST", s.path, root, s.body)
				if res.status != 400 {
					t.Fatalf("POST %s %s: status %d, want 400: %s", s.path, s.body, res.status, res.body)
				}
				b := res.errorBody(t)
				if b.Field != s.field || !strings.Contains(b.Message, tc.Want) {
					t.Errorf("POST %s: field %q message %q; want field %q and a message with %q", s.path, b.Field, b.Message, s.field, tc.Want)
				}
			}
		})
	}
	if after := len(e.policy.Rules("p")) + len(e.policy.Rules("g")); after != before {
		t.Fatalf("%d rules after refused writes, want %d", after, before)
	}
}

// TestBadRowInTheStoreKeepsTheLastGoodPolicy: a rule value written straight
// into casbin_rule (by any database role allowed to) that keyMatch2 cannot
// read makes the reload fail, naming the field, and the policy in force
// stays as it was: decisions still work, on every database (issue 10,
// item 11).
func TestBadRowInTheStoreKeepsTheLastGoodPolicy(t *testing.T) {
	forEachBackend(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		ctx := t.Context()
		if err := e.db.Exec("INSERT INTO "+policyadmin.DefaultPolicyTable+" (ptype, v0, v1, v2, v3) VALUES (?, ?, ?, ?, ?)",
			"p", "mallory", "/posts(", "GET", "allow").Error; err != nil {
			t.Fatal(err)
		}
		err := e.policy.Reload(ctx)
		if !errors.Is(err, enforcer.ErrInvalidRule) || !strings.Contains(err.Error(), "field obj") {
			t.Fatalf("Reload with a bad row = %v; want ErrInvalidRule naming field obj", err)
		}
		for _, req := range [][]any{{"carol", "/posts/1", "GET", true}, {"mallory", "/posts", "GET", false}, {"bob", "/posts/1/comments", "POST", false}} {
			if ok, err := e.policy.Enforce(ctx, req[:3]...); err != nil || ok != req[3] {
				t.Fatalf("%v after the refused reload: %v, %v; want %v", req[:3], ok, err, req[3])
			}
		}
		res := e.do("POST", "/v1/check", tok(t, "root", nil, nil), `{"sub":"carol","obj":"/posts/1","act":"GET"}`)
		if res.status != 200 || !strings.Contains(string(res.body), `"allowed":true`) {
			t.Fatalf("check after the refused reload: %d %s", res.status, res.body)
		}
	})
}
