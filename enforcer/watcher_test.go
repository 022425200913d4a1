package enforcer_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/casbin/casbin/v2/model"

	"github.com/wardenhq/warden/enforcer"
)

// recordingWatcher stands in for a watcher transport here: the real ones
// (watcher/pgwatcher, watcher/rediswatcher) are tested against real
// PostgreSQL and Redis in their packages, with this enforcer. This one checks
// the enforcer's side of the contract: what it announces and how it reacts.
type recordingWatcher struct {
	callback func(string)
	added    [][]string
	removed  [][]string
	fail     error
}

func (w *recordingWatcher) SetUpdateCallback(f func(string)) error { w.callback = f; return nil }
func (w *recordingWatcher) Update() error                          { return w.fail }
func (w *recordingWatcher) Close()                                 {}
func (w *recordingWatcher) UpdateForAddPolicy(sec, ptype string, params ...string) error {
	return w.UpdateForAddPolicies(sec, ptype, params)
}
func (w *recordingWatcher) UpdateForRemovePolicy(sec, ptype string, params ...string) error {
	return w.UpdateForRemovePolicies(sec, ptype, params)
}
func (w *recordingWatcher) UpdateForRemoveFilteredPolicy(string, string, int, ...string) error {
	return w.fail
}
func (w *recordingWatcher) UpdateForSavePolicy(model.Model) error { return w.fail }
func (w *recordingWatcher) UpdateForAddPolicies(sec, ptype string, rules ...[]string) error {
	if w.fail != nil {
		return w.fail
	}
	for _, r := range rules {
		w.added = append(w.added, append([]string{ptype}, r...))
	}
	return nil
}
func (w *recordingWatcher) UpdateForRemovePolicies(sec, ptype string, rules ...[]string) error {
	if w.fail != nil {
		return w.fail
	}
	for _, r := range rules {
		w.removed = append(w.removed, append([]string{ptype}, r...))
	}
	return nil
}

func TestWatcherContract(t *testing.T) {
	ctx := context.Background()
	policy := filepath.Join(t.TempDir(), "policy.csv")
	copyFile(t, "../conf/policy.csv", policy)
	e, err := enforcer.NewFromFiles(ctx, "../conf/model.conf", policy)
	if err != nil {
		t.Fatal(err)
	}
	// A change stored after the first load and before the watcher is
	// connected (its announcement went nowhere) is picked up by SetWatcher.
	if err := os.WriteFile(policy, append(mustRead(t, policy), []byte("g, gina, editor\n")...), 0o600); err != nil {
		t.Fatal(err)
	}
	w := &recordingWatcher{}
	if err := e.SetWatcher(w); err != nil {
		t.Fatal(err)
	}
	if ok, _ := e.Enforce(ctx, "gina", "/posts", "POST"); !ok {
		t.Fatal("a change stored before SetWatcher was missed")
	}
	// Each changed rule is announced once, by ptype; unchanged ones are not.
	if _, err := e.AddRules(ctx, enforcer.G("dave", "editor"), enforcer.G("bob", "editor"), enforcer.P("dave", "/x", "GET", "allow")); err != nil {
		t.Fatal(err)
	}
	if len(w.added) != 2 || w.added[0][0] != "g" || w.added[1][0] != "p" {
		t.Fatalf("announced %v; want the two new rules", w.added)
	}
	if _, err := e.RemoveRules(ctx, enforcer.G("dave", "editor")); err != nil || len(w.removed) != 1 {
		t.Fatalf("remove announced %v, %v", w.removed, err)
	}
	// Another instance's message makes this one reload from the store.
	if err := os.WriteFile(policy, []byte("p, erin, /y, GET, allow\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	w.callback(`{"op":"reload"}`)
	if ok, _ := e.Enforce(ctx, "erin", "/y", "GET"); !ok {
		t.Fatal("a watcher message did not reload the policy")
	}
	// A change that cannot be announced is in force here, and says so.
	w.fail = errors.New("pubsub down")
	n, err := e.AddRules(ctx, enforcer.G("frank", "erin"))
	if !errors.Is(err, enforcer.ErrNotAnnounced) || n != 1 {
		t.Fatalf("AddRules with a failing watcher = %d, %v; want 1 and ErrNotAnnounced", n, err)
	}
	if ok, _ := e.Enforce(ctx, "frank", "/y", "GET"); !ok {
		t.Fatal("the stored change is not in force")
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestAnnounceThroughOnlyAnnounces: AnnounceThrough announces each local
// change and takes nothing from the watcher (no callback set, so a message
// cannot make this enforcer reload); the watcher it announces through is
// the only one, so SetWatcher after it is refused, as is a second
// AnnounceThrough, and a follower can still attach without a watcher.
func TestAnnounceThroughOnlyAnnounces(t *testing.T) {
	ctx := context.Background()
	policy := filepath.Join(t.TempDir(), "policy.csv")
	copyFile(t, "../conf/policy.csv", policy)
	e, err := enforcer.NewFromFiles(ctx, "../conf/model.conf", policy)
	if err != nil {
		t.Fatal(err)
	}
	w := &recordingWatcher{}
	if err := e.AnnounceThrough(w); err != nil {
		t.Fatal(err)
	}
	if w.callback != nil {
		t.Fatal("AnnounceThrough set the watcher's callback")
	}
	if _, err := e.AddRules(ctx, enforcer.G("dave", "editor")); err != nil {
		t.Fatal(err)
	}
	if len(w.added) != 1 || w.added[0][0] != "g" {
		t.Fatalf("announced %v; want the new g rule", w.added)
	}
	for what, err := range map[string]error{
		"SetWatcher":               e.SetWatcher(&recordingWatcher{}),
		"a second AnnounceThrough": e.AnnounceThrough(&recordingWatcher{}),
	} {
		if !errors.Is(err, enforcer.ErrSyncAttached) {
			t.Errorf("%s after AnnounceThrough: %v; want ErrSyncAttached", what, err)
		}
	}
	// A follower that polls only takes the other slot, once.
	detach, err := e.AttachFollower("poller", nil)
	if err != nil {
		t.Fatalf("a follower without a watcher beside AnnounceThrough: %v", err)
	}
	if _, err := e.AttachFollower("another poller", nil); !errors.Is(err, enforcer.ErrSyncAttached) {
		t.Fatalf("a second follower: %v; want ErrSyncAttached", err)
	}
	detach()
	detach() // a second call frees nothing a later owner holds
	if _, err := e.AttachFollower("poller after detach", nil); err != nil {
		t.Fatalf("a follower after detach: %v", err)
	}
	if _, err := e.AttachFollower("third", nil); !errors.Is(err, enforcer.ErrSyncAttached) {
		t.Fatalf("detach called twice freed the new follower's slot: %v", err)
	}
}
