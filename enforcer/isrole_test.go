package enforcer_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/models"
)

// TestIsRole: a role is the second value of a g rule, in any domain, on the
// fast path and on Casbin's evaluation alike, and follows changes.
func TestIsRole(t *testing.T) {
	ctx := context.Background()
	policy := filepath.Join(t.TempDir(), "policy.csv")
	copyFile(t, "../conf/policy.csv", policy)
	casbinOnly, err := enforcer.NewFromFiles(ctx, "../conf/model.conf", policy, enforcer.WithCasbinEvaluation())
	if err != nil {
		t.Fatal(err)
	}
	for name, e := range map[string]*enforcer.Enforcer{"fast path": newConf(t), "casbin": casbinOnly} {
		t.Run(name, func(t *testing.T) {
			want := map[string]bool{"admin": true, "editor": true, "viewer": true,
				"alice": false, "bob": false, "carol": false, "mallory": false, "": false, "/posts": false}
			for n, w := range want {
				if got, err := e.IsRole(ctx, n); err != nil || got != w {
					t.Errorf("IsRole(%q) = %v, %v; want %v", n, got, err, w)
				}
			}
			if _, err := e.AddRules(ctx, enforcer.G("dave", "auditor"), enforcer.G("erin", "auditor")); err != nil {
				t.Fatal(err)
			}
			if ok, _ := e.IsRole(ctx, "auditor"); !ok {
				t.Error("auditor, added, is not a role")
			}
			if _, err := e.RemoveRules(ctx, enforcer.G("dave", "auditor")); err != nil {
				t.Fatal(err)
			}
			if ok, _ := e.IsRole(ctx, "auditor"); !ok {
				t.Error("auditor, still erin's role, is not a role")
			}
			if _, err := e.RemoveRules(ctx, enforcer.G("erin", "auditor")); err != nil {
				t.Fatal(err)
			}
			if ok, _ := e.IsRole(ctx, "auditor"); ok {
				t.Error("auditor, no longer named, is still a role")
			}
		})
	}
	m, err := models.Load(models.RBACDomains)
	if err != nil {
		t.Fatal(err)
	}
	dom, err := enforcer.New(ctx, m, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dom.AddRules(ctx, enforcer.G("alice", "owner", "tenant1")); err != nil {
		t.Fatal(err)
	}
	if ok, _ := dom.IsRole(ctx, "owner"); !ok {
		t.Error("a role in one domain is not a role")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := dom.IsRole(cancelled, "owner"); err == nil {
		t.Error("IsRole with a cancelled context: no error")
	}
}
