package rulelog_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
)

// TestCasbinSubjectCycleLogged: with a change log, AddRules writes through
// the store without the enforcer's write lock; a link that would close a
// cycle below a top role under subjectPriority, on which Casbin's loader
// loops for ever at the next load, is refused before it reaches the log,
// so another instance loading the store still loads.
func TestCasbinSubjectCycleLogged(t *testing.T) {
	ctx := context.Background()
	const text = "[request_definition]\nr = sub, obj, act\n[policy_definition]\np = sub, obj, act, eft\n[role_definition]\ng = _, _\n" +
		"[policy_effect]\ne = subjectPriority(p.eft) || deny\n[matchers]\nm = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act\n"
	m, err := enforcer.ParseModel(text)
	if err != nil {
		t.Fatal(err)
	}
	db := dbtest.SQLite(t)
	e, err := enforcer.New(ctx, m, newStore(t, db.DB), enforcer.WithCasbinEvaluation())
	if err != nil {
		t.Fatal(err)
	}
	if !e.SyncStatus().Logged {
		t.Fatal("no change log: not the case under test")
	}
	if _, err := e.AddRules(ctx, enforcer.G("a", "top"), enforcer.G("b", "a"), enforcer.P("b", "data", "read", "allow")); err != nil {
		t.Fatal(err)
	}
	_, err = e.AddRules(ctx, enforcer.G("a", "b"))
	if !errors.Is(err, enforcer.ErrInvalidRule) || !strings.Contains(err.Error(), "g, b, a; g, a, b") {
		t.Fatalf("AddRules closing the cycle: %v", err)
	}
	// Another instance loads the store (it would loop had the link been
	// written) and holds what was written before.
	other, err := enforcer.New(ctx, m, newStore(t, db.DB), enforcer.WithCasbinEvaluation())
	if err != nil {
		t.Fatal(err)
	}
	if got := other.Rules("g"); len(got) != 2 {
		t.Fatalf("stored links: %v", got)
	}
}
