package policysync_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2/persist"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/watcher/policysync"
)

// nonForwarding wraps an enforcer as a Target and does not forward
// AttachFollower.
type nonForwarding struct{ e *enforcer.Enforcer }

func (n nonForwarding) CatchUp(ctx context.Context) error { return n.e.CatchUp(ctx) }
func (n nonForwarding) SyncStatus() enforcer.SyncStatus   { return n.e.SyncStatus() }

// forwarding is nonForwarding that forwards it, as examples/fleet does.
type forwarding struct{ nonForwarding }

func (f forwarding) AttachFollower(name string, w persist.Watcher) (func(), error) {
	return f.e.AttachFollower(name, w)
}

// nopWatcher is a persist.Watcher that carries nothing.
type nopWatcher struct{}

func (nopWatcher) SetUpdateCallback(func(string)) error { return nil }
func (nopWatcher) Update() error                        { return nil }
func (nopWatcher) Close()                               {}

// TestWrappedTargetOneOwner: a wrapper that hides AttachFollower would let
// the enforcer behind it be synced twice (by the follower and by
// SetWatcher) without a word; New refuses it unless WithUnattachedTarget
// says so, and a wrapper that forwards it keeps the one-owner check.
func TestWrappedTargetOneOwner(t *testing.T) {
	ctx := context.Background()
	newEnforcer := func() *enforcer.Enforcer {
		m, err := enforcer.ParseModel("[request_definition]\nr = sub, obj, act\n[policy_definition]\np = sub, obj, act\n[policy_effect]\ne = some(where (p.eft == allow))\n[matchers]\nm = r.sub == p.sub && r.obj == p.obj && r.act == p.act\n")
		if err != nil {
			t.Fatal(err)
		}
		e, err := enforcer.New(ctx, m, nil)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}

	e := newEnforcer()
	_, err := policysync.New(nonForwarding{e})
	if !errors.Is(err, policysync.ErrNotAttachable) || !strings.Contains(err.Error(), "nonForwarding") {
		t.Fatalf("non-forwarding wrapper: %v; want ErrNotAttachable naming the type", err)
	}
	// Nothing was attached: the enforcer's own follower slot is free.
	if err := e.SetWatcher(nopWatcher{}); err != nil {
		t.Fatal(err)
	}

	// Asked for explicitly, the wrapper is accepted.
	f, err := policysync.New(nonForwarding{newEnforcer()}, policysync.WithUnattachedTarget())
	if err != nil {
		t.Fatal(err)
	}
	f.Close()

	// A forwarding wrapper is the enforcer's one follower.
	e = newEnforcer()
	f, err = policysync.New(forwarding{nonForwarding{e}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.SetWatcher(nopWatcher{}); !errors.Is(err, enforcer.ErrSyncAttached) {
		t.Fatalf("SetWatcher beside a forwarding wrapper's follower: %v", err)
	}
	f.Close()
	if err := e.SetWatcher(nopWatcher{}); err != nil {
		t.Fatalf("after Close: %v", err)
	}
}
