package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/wardenhq/warden/adapters/rulelog"
	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/server"
)

// TestGroupClosingSubjectCycle: a group grant that would close a cycle
// below a top role under subjectPriority (Casbin's evaluation refuses it:
// its loader would never return on the stored policy) is answered 409
// naming the links to change. Before, the answer was 400 "the rule does not
// fit the model", which the rule did.
func TestGroupClosingSubjectCycle(t *testing.T) {
	forEachBackend(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		m, err := enforcer.ParseModel("[request_definition]\nr = sub, obj, act\n[policy_definition]\np = sub, obj, act, eft\n" +
			"[role_definition]\ng = _, _\n[policy_effect]\ne = subjectPriority(p.eft) || deny\n" +
			"[matchers]\nm = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act\n")
		if err != nil {
			t.Fatal(err)
		}
		db := open(t)
		st, err := rulelog.New(ctx, db.DB, rulelog.WithTable("sp_rule"))
		if err != nil {
			t.Fatal(err)
		}
		policy, err := enforcer.New(ctx, m, st, enforcer.WithCasbinEvaluation())
		if err != nil {
			t.Fatal(err)
		}
		e := newEnv(t, func(testing.TB) dbtest.DB { return db }, server.WithPolicy(policy))
		root := tok(t, "root", nil, nil)
		for _, body := range []string{`{"member":"a","role":"top"}`, `{"member":"b","role":"a"}`} {
			if res := e.do("POST", "/v1/groups", root, body); res.status != http.StatusOK {
				t.Fatalf("POST /v1/groups %s: %d %s", body, res.status, res.body)
			}
		}
		res := e.do("POST", "/v1/groups", root, `{"member":"a","role":"b"}`)
		if res.status != http.StatusConflict || !strings.Contains(string(res.body), "g, a, b") || !strings.Contains(string(res.body), "g, b, a") ||
			!strings.Contains(string(res.body), "cycle below a top role") {
			t.Fatalf("the link closing the cycle: %d %s", res.status, res.body)
		}
		if got := policy.Rules("g"); len(got) != 2 {
			t.Errorf("links after the refusal: %v", got)
		}
	})
}
