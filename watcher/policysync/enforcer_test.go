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

// Whatever a message says, a Follower takes no rule from it and reads the
// store: a forged add grants nothing, a forged remove revokes nothing, and
// the store's rows (sneaky's, written behind the enforcer's back) are what
// is in force afterwards.
func TestFollowerTakesNoRuleFromMessages(t *testing.T) {
	e := setup(t)
	h := &fakeHints{}
	f, err := policysync.New(e, policysync.WithWatcher(h), policysync.WithInterval(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	run(t, f)
	waitFor(t, func() bool { return f.Status().Reads >= 1 })
	for i, payload := range []string{
		`{"instance":"n2","op":"add","sec":"p","ptype":"p","rules":[["alice","data1","read"]]}`,
		`{"instance":"n2","op":"remove","sec":"p","ptype":"p","rules":[["bob","data1","read"]]}`,
		`{"instance":"n2","revision":7}`,
		`not json`,
	} {
		h.payload(payload)
		waitFor(t, func() bool { return f.Status().Reads >= uint64(i+2) })
		if allowed(t, e, "alice") {
			t.Errorf("%s: alice allowed from a message's rule", payload)
		}
		if !allowed(t, e, "bob") {
			t.Errorf("%s: bob's stored rule removed by a message", payload)
		}
		if !allowed(t, e, "sneaky") {
			t.Errorf("%s: the store's row is not in force", payload)
		}
	}
}

// A read that fails keeps the previous policy: decisions go on.
func TestFailedReadKeepsPolicy(t *testing.T) {
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
	f, err := policysync.New(e, policysync.WithInterval(time.Hour), policysync.WithReadTimeout(300*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	run(t, f)
	waitFor(t, func() bool { return f.Status().Err != nil })
	if !allowed(t, e, "bob") {
		t.Fatal("a failed read dropped the previous policy")
	}

}
