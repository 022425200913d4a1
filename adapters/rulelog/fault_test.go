package rulelog_test

import (
	"bytes"
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardenhq/warden/adapters/rulelog"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/internal/tcpproxy"
)

// isCommit reports whether a chunk sent to the server is a COMMIT (pgx
// sends "commit", the MySQL driver "COMMIT").
func isCommit(dir tcpproxy.Direction, data []byte) bool {
	return dir == tcpproxy.ToServer && bytes.Contains(bytes.ToLower(data), []byte("commit"))
}

// onceOnCommit returns a hook that takes act on the first COMMIT only.
func onceOnCommit(act tcpproxy.Action) tcpproxy.Hook {
	var fired atomic.Bool
	return func(dir tcpproxy.Direction, data []byte) tcpproxy.Action {
		if isCommit(dir, data) && fired.CompareAndSwap(false, true) {
			return act
		}
		return tcpproxy.Forward
	}
}

// TestLostCommitAnswer: the connection is cut right after COMMIT reaches
// the server, so the change commits but its answer is lost. The grant is
// acknowledged (the store is asked), it is in force on the writer, and a
// following revoke really removes the row. In the mirror case COMMIT never
// reaches the server: the grant fails, nothing is stored or in force, and
// the next grant works.
func TestLostCommitAnswer(t *testing.T) {
	for _, b := range servers() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			db := b.Open(t)
			p, pdb := viaProxy(t, db, b.Name)
			s := newStore(t, pdb)
			e := newEnforcer(t, s)
			alice := enforcer.P("alice", "d", "read")

			p.SetHook(onceOnCommit(tcpproxy.ForwardCut))
			n, err := e.AddRules(ctx, alice)
			p.SetHook(nil)
			if err != nil || n != 1 {
				t.Fatalf("grant whose COMMIT answer was lost = %d, %v; want acknowledged", n, err)
			}
			if count(t, db.DB, rulelog.DefaultTable, "v0 = ?", "alice") != 1 || !allowed(t, e, "alice", "d", "read") {
				t.Fatal("the acknowledged grant is not in the store or not in force")
			}
			if n, err := e.RemoveRules(ctx, alice); err != nil || n != 1 {
				t.Fatalf("revoke after it = %d, %v", n, err)
			}
			if count(t, db.DB, rulelog.DefaultTable, "v0 = ?", "alice") != 0 || allowed(t, e, "alice", "d", "read") {
				t.Fatal("the revoke did not remove the row")
			}

			p.SetHook(onceOnCommit(tcpproxy.Drop))
			n, err = e.AddRules(ctx, alice)
			p.SetHook(nil)
			if err == nil || errors.Is(err, enforcer.ErrOutcomeUnknown) || n != 0 {
				t.Fatalf("grant whose COMMIT never arrived = %d, %v; want a plain failure", n, err)
			}
			if count(t, db.DB, rulelog.DefaultTable, "v0 = ?", "alice") != 0 || allowed(t, e, "alice", "d", "read") {
				t.Fatal("a grant reported failed is in the store or in force")
			}
			if n, err := e.AddRules(ctx, alice); err != nil || n != 1 || !allowed(t, e, "alice", "d", "read") {
				t.Fatalf("grant after the failed one = %d, %v", n, err)
			}
			if h, _ := s.Head(ctx); h != 3 {
				t.Fatalf("head = %d, want 3 (grant, revoke, grant)", h)
			}
		})
	}
}

// TestUnknownOutcomeIsResolvedBeforeTheNextWrite: COMMIT reaches the server
// and then the store is unreachable, so the write cannot find out: it
// answers ErrOutcomeUnknown (not "not stored"). The next write first asks
// the store; the change had committed, so the writer follows it, and a
// revoke removes it.
func TestUnknownOutcomeIsResolvedBeforeTheNextWrite(t *testing.T) {
	for _, b := range servers() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			db := b.Open(t)
			p, pdb := viaProxy(t, db, b.Name)
			s := newStore(t, pdb, rulelog.WithTimeout(2*time.Second))
			e := newEnforcer(t, s)
			var committed, down atomic.Bool
			down.Store(false)
			p.SetHook(func(dir tcpproxy.Direction, data []byte) tcpproxy.Action {
				switch {
				case isCommit(dir, data) && committed.CompareAndSwap(false, true):
					down.Store(true)
					return tcpproxy.ForwardCut
				case down.Load() && dir == tcpproxy.ToServer:
					return tcpproxy.Drop // the store is gone for every later call
				}
				return tcpproxy.Forward
			})
			_, err := e.AddRules(ctx, enforcer.P("bob", "d", "read"))
			if !errors.Is(err, enforcer.ErrOutcomeUnknown) {
				t.Fatalf("grant with the store gone after COMMIT = %v; want ErrOutcomeUnknown", err)
			}
			_, err = e.AddRules(ctx, enforcer.P("carl", "d", "read"))
			if !errors.Is(err, rulelog.ErrPending) {
				t.Fatalf("next write while the store is still gone = %v; want ErrPending", err)
			}
			down.Store(false)
			if n, err := e.AddRules(ctx, enforcer.P("carl", "d", "read")); err != nil || n != 1 {
				t.Fatalf("next write once the store is back = %d, %v", n, err)
			}
			if !allowed(t, e, "bob", "d", "read") || count(t, db.DB, rulelog.DefaultTable, "v0 = ?", "bob") != 1 {
				t.Fatal("the committed grant of unknown outcome is not followed")
			}
			if n, err := e.RemoveRules(ctx, enforcer.P("bob", "d", "read")); err != nil || n != 1 || allowed(t, e, "bob", "d", "read") {
				t.Fatalf("revoke of it = %d, %v", n, err)
			}
		})
	}
}

// TestFrozenWriteDoesNotBlockCatchUp: B's own grant hangs on a frozen
// connection; meanwhile A revokes a rule. B's CatchUp reads the revoke from
// the log and applies it while B's write is still hanging, and the write
// then fails without leaving anything in the store.
func TestFrozenWriteDoesNotBlockCatchUp(t *testing.T) {
	for _, b := range servers() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			db := b.Open(t)
			a := newEnforcer(t, newStore(t, db.DB))
			p, pdb := viaProxy(t, db, b.Name)
			eb := newEnforcer(t, newStore(t, pdb, rulelog.WithTimeout(3*time.Second)))
			x := enforcer.P("xena", "d", "read")
			if _, err := a.AddRules(ctx, x); err != nil {
				t.Fatal(err)
			}
			if err := eb.CatchUp(ctx); err != nil || !allowed(t, eb, "xena", "d", "read") {
				t.Fatalf("B before the freeze: %v", err)
			}
			frozen := make(chan struct{})
			var once atomic.Bool
			p.SetHook(func(dir tcpproxy.Direction, data []byte) tcpproxy.Action {
				if dir == tcpproxy.ToServer && bytes.Contains(data, []byte("_head")) && bytes.Contains(data, []byte("revision + 1")) &&
					once.CompareAndSwap(false, true) {
					close(frozen)
					return tcpproxy.FreezeConn
				}
				return tcpproxy.Forward
			})
			written := make(chan error, 1)
			go func() {
				_, err := eb.AddRules(ctx, enforcer.P("yann", "d", "read"))
				written <- err
			}()
			<-frozen
			if _, err := a.RemoveRules(ctx, x); err != nil {
				t.Fatal(err)
			}
			if err := eb.CatchUp(ctx); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-written:
				t.Fatalf("B's write ended (%v) before the check; the test proves nothing", err)
			default:
			}
			if allowed(t, eb, "xena", "d", "read") {
				t.Fatal("B still allows the rule A revoked while B's own write hangs")
			}
			if err := <-written; err == nil {
				t.Fatal("the frozen write reported success")
			}
			if count(t, db.DB, rulelog.DefaultTable, "v0 = ?", "yann") != 0 || allowed(t, eb, "yann", "d", "read") {
				t.Fatal("the failed write is in the store or in force")
			}
		})
	}
}

// TestStoreGoneRightAfterCommit: the revoke commits and its answer arrives,
// then the store is unreachable, so the writer cannot read the log up to its
// revision. The revoke is still acknowledged and in force on the writer at
// once (applied from what it committed), and once the store is back a
// CatchUp brings the writer to the head with the same policy.
func TestStoreGoneRightAfterCommit(t *testing.T) {
	for _, b := range servers() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			db := b.Open(t)
			p, pdb := viaProxy(t, db, b.Name)
			e := newEnforcer(t, newStore(t, pdb, rulelog.WithTimeout(2*time.Second)))
			x := enforcer.P("xavi", "d", "read")
			if _, err := e.AddRules(ctx, x); err != nil {
				t.Fatal(err)
			}
			var committed, down atomic.Bool
			p.SetHook(func(dir tcpproxy.Direction, data []byte) tcpproxy.Action {
				switch {
				case isCommit(dir, data) && committed.CompareAndSwap(false, true):
					down.Store(true) // this COMMIT and its answer pass; nothing after
					return tcpproxy.Forward
				case down.Load() && dir == tcpproxy.ToServer:
					return tcpproxy.Drop
				}
				return tcpproxy.Forward
			})
			if n, err := e.RemoveRules(ctx, x); err != nil || n != 1 {
				t.Fatalf("revoke = %d, %v; want acknowledged", n, err)
			}
			if !down.Load() {
				t.Fatal("the store never went away; the test proves nothing")
			}
			if allowed(t, e, "xavi", "d", "read") {
				t.Fatal("the writer allows a key after its revoke was acknowledged")
			}
			if st := e.SyncStatus(); st.Applied != 1 || st.Err == nil {
				t.Fatalf("status while the store is gone = %+v; want applied 1 and the read's error", st)
			}
			down.Store(false)
			if err := e.CatchUp(ctx); err != nil {
				t.Fatal(err)
			}
			if st := e.SyncStatus(); st.Applied != 2 || allowed(t, e, "xavi", "d", "read") {
				t.Fatalf("after the store is back: %+v", st)
			}
		})
	}
}
