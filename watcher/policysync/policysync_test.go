package policysync_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	fileadapter "github.com/casbin/casbin/v2/persist/file-adapter"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/watcher/policysync"
)

const rbacModel = `
[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act
`

// setup returns an enforcer loaded from a policy file holding only bob's
// rule; then it adds a rule for "sneaky" to the file behind the enforcer's
// back, so that a test can tell a reload (sneaky allowed) from a single
// applied change (sneaky still denied).
func setup(t *testing.T) *enforcer.Enforcer {
	t.Helper()
	path := filepath.Join(t.TempDir(), "policy.csv")
	if err := os.WriteFile(path, []byte("p, bob, data1, read\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	m, err := enforcer.ParseModel(rbacModel)
	if err != nil {
		t.Fatal(err)
	}
	e, err := enforcer.New(context.Background(), m, fileadapter.NewAdapter(path))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("p, bob, data1, read\np, sneaky, data1, read\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return e
}

func allowed(t *testing.T, e *enforcer.Enforcer, sub string) bool {
	t.Helper()
	ok, err := e.Enforce(context.Background(), sub, "data1", "read")
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func TestCallback(t *testing.T) {
	tests := []struct {
		name                string
		payload             string
		alice, bob, reloads bool
	}{
		{"add applies one rule", `{"instance":"n2","op":"add","sec":"p","ptype":"p","rules":[["alice","data1","read"]]}`,
			true, true, false},
		{"remove applies one rule", `{"instance":"n2","op":"remove","sec":"p","ptype":"p","rules":[["bob","data1","read"]]}`,
			false, false, false},
		{"reload reloads", `{"instance":"n2","op":"reload"}`, false, true, true},
		{"save reloads", `{"instance":"n2","op":"save"}`, false, true, true},
		{"update reloads", `{"instance":"n2","op":"update","sec":"p","ptype":"p","rules":[["bob","data1","read"]],"new_rules":[["bob","data1","write"]]}`,
			false, true, true},
		{"filtered removal reloads", `{"instance":"n2","op":"remove_filtered","sec":"p","ptype":"p","field_values":["bob"]}`,
			false, true, true},
		{"undecodable reloads", `not json`, false, true, true},
		{"inapplicable rule reloads", `{"instance":"n2","op":"add","sec":"p","ptype":"p","rules":[["alice","data1"]]}`,
			false, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			policysync.Callback(e)(tt.payload)
			if got := allowed(t, e, "alice"); got != tt.alice {
				t.Errorf("alice allowed = %v; want %v", got, tt.alice)
			}
			if got := allowed(t, e, "bob"); got != tt.bob {
				t.Errorf("bob allowed = %v; want %v", got, tt.bob)
			}
			if got := allowed(t, e, "sneaky"); got != tt.reloads {
				t.Errorf("reloaded (sneaky allowed) = %v; want %v", got, tt.reloads)
			}
		})
	}
}

// A reload that fails keeps the previous policy: decisions go on.
func TestCallbackFailedReloadKeepsPolicy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "policy.csv")
	if err := os.WriteFile(path, []byte("p, bob, data1, read\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	m, err := enforcer.ParseModel(rbacModel)
	if err != nil {
		t.Fatal(err)
	}
	e, err := enforcer.New(context.Background(), m, fileadapter.NewAdapter(path))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	policysync.Callback(e, policysync.WithReloadTimeout(300*time.Millisecond))(`{"instance":"n2","op":"reload"}`)
	if !allowed(t, e, "bob") {
		t.Fatal("a failed reload dropped the previous policy")
	}
}
