package rulelog_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/wardenhq/warden/adapters/rulelog"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/internal/tcpproxy"
)

// TestWorkloadWithFaults: grants and revokes through two instances at once,
// B's through a proxy that loses the answer to every third COMMIT and
// drops every fifth before it reaches the server. Every acknowledged change
// is in force on its writer at once (a key is never allowed there after
// its revoke was acknowledged), every failed one is not in the store, and
// at the end the store and both instances agree key for key with the last
// acknowledged change.
func TestWorkloadWithFaults(t *testing.T) {
	for _, b := range servers() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			db := b.Open(t)
			ea := newEnforcer(t, newStore(t, reopen(t, db)))
			p, pdb := viaProxy(t, db, b.Name)
			eb := newEnforcer(t, newStore(t, pdb))
			var commits, faults atomic.Int64
			p.SetHook(func(dir tcpproxy.Direction, data []byte) tcpproxy.Action {
				if !isCommit(dir, data) {
					return tcpproxy.Forward
				}
				switch n := commits.Add(1); {
				case n%3 == 0:
					faults.Add(1)
					return tcpproxy.ForwardCut
				case n%5 == 0:
					faults.Add(1)
					return tcpproxy.Drop
				}
				return tcpproxy.Forward
			})
			const workers, keys, rounds = 4, 3, 6
			type keyState struct {
				known, present bool
			}
			states := make([][]keyState, workers)
			var wg sync.WaitGroup
			for w := range workers {
				e := []*enforcer.Enforcer{ea, eb}[w%2]
				states[w] = make([]keyState, keys)
				wg.Add(1)
				go func() {
					defer wg.Done()
					for r := range rounds {
						for k := range keys {
							sub := fmt.Sprintf("w%d-k%d", w, k)
							rule := enforcer.P(sub, "d", "read")
							grant := r%2 == 0
							var err error
							if grant {
								_, err = e.AddRules(ctx, rule)
							} else {
								_, err = e.RemoveRules(ctx, rule)
							}
							st := &states[w][k]
							switch {
							case err == nil:
								*st = keyState{known: true, present: grant}
								if got := allowed(t, e, sub, "d", "read"); got != grant {
									t.Errorf("%s: acknowledged %s, but the writer allows=%v", sub, map[bool]string{true: "grant", false: "revoke"}[grant], got)
								}
							case errors.Is(err, enforcer.ErrOutcomeUnknown), errors.Is(err, rulelog.ErrPending):
								if !errors.Is(err, rulelog.ErrPending) {
									st.known = false
								}
							default:
								// Failed: the key stays as it was.
							}
						}
					}
				}()
			}
			wg.Wait()
			p.SetHook(nil)
			if faults.Load() == 0 {
				t.Fatal("no fault was injected; the test proves nothing")
			}
			for _, e := range []*enforcer.Enforcer{ea, eb} {
				if err := e.CatchUp(ctx); err != nil {
					t.Fatal(err)
				}
			}
			for w := range workers {
				for k := range keys {
					sub := fmt.Sprintf("w%d-k%d", w, k)
					stored := count(t, db.DB, rulelog.DefaultTable, "v0 = ?", sub) == 1
					if st := states[w][k]; st.known && st.present != stored {
						t.Errorf("%s: last acknowledged present=%v, store has it=%v", sub, st.present, stored)
					}
					for name, e := range map[string]*enforcer.Enforcer{"A": ea, "B": eb} {
						if got := allowed(t, e, sub, "d", "read"); got != stored {
							t.Errorf("%s: instance %s allows=%v, the store has it=%v", sub, name, got, stored)
						}
					}
				}
			}
			t.Logf("%d commits on B, %d faults", commits.Load(), faults.Load())
		})
	}
}
