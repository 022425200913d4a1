package server_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/internal/rulecases"
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
