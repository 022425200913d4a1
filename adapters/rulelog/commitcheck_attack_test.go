package rulelog_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/casbin/casbin/v2/model"
	"gorm.io/gorm"

	"github.com/wardenhq/warden/adapters/rulelog"
	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/internal/tcpproxy"
)

const subjPriorityModel = "[request_definition]\nr = sub, obj, act\n[policy_definition]\np = sub, obj, act, eft\n[role_definition]\ng = _, _\n" +
	"[policy_effect]\ne = subjectPriority(p.eft) || deny\n[matchers]\nm = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act\n"

// TestCasbinSubjectCycleByRemoval: a cycle no top role reaches is
// harmless to Casbin's loader, and may be stored; removing the one link
// that made a name a member turns that name into a top role above the
// cycle, on which the loader loops. The removal must be refused like the
// link that closes such a cycle, or no instance loads the store again.
func TestCasbinSubjectCycleByRemoval(t *testing.T) {
	ctx := context.Background()
	m, err := enforcer.ParseModel(subjPriorityModel)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db := b.Open(t)
			e := casbinOn(t, m, db.DB)
			// a and b in a cycle, t and a in another; every name is a
			// member, so no top role exists and the store loads.
			if _, err := e.AddRules(ctx, enforcer.G("a", "b"), enforcer.G("b", "a"), enforcer.G("t", "a"), enforcer.G("a", "t"),
				enforcer.P("a", "data", "read", "allow")); err != nil {
				t.Fatal(err)
			}
			mustLoad(t, m, db.DB, "the store without a top role")
			// Removing t's membership makes t a top role above a <-> b.
			_, err = e.RemoveRules(ctx, enforcer.G("t", "a"))
			if !errors.Is(err, enforcer.ErrInvalidRule) || !strings.Contains(err.Error(), "cycle") {
				t.Errorf("the removal that puts a top role above a cycle: %v", err)
			}
			mustLoad(t, m, db.DB, "loading the store after the removal")

			// Two instances: the second's memory lacks the first's link
			// a -> t, so to it t is no role at all once t -> a goes and
			// its own check passes; on the store, t becomes a top role
			// above a <-> b. The check in the transaction refuses it.
			if _, err := e.RemoveRules(ctx, enforcer.G("a", "t")); err != nil {
				t.Fatal(err)
			}
			second := casbinOn(t, m, db.DB)
			if _, err := e.AddRules(ctx, enforcer.G("a", "t")); err != nil {
				t.Fatal(err)
			}
			if second.Has("g", []string{"a", "t"}) {
				t.Fatal("the second instance caught up: not the case under test")
			}
			_, err = second.RemoveRules(ctx, enforcer.G("t", "a"))
			if !errors.Is(err, enforcer.ErrInvalidRule) || !strings.Contains(err.Error(), "g, b, a; g, a, b") {
				t.Errorf("the removal on a store the memory has not caught up with: %v", err)
			}
			mustLoad(t, m, db.DB, "loading the store after the second instance's removal")
			// A removal that leaves no cycle below a top role goes through.
			if _, err := second.RemoveRules(ctx, enforcer.G("a", "b")); err != nil {
				t.Fatalf("breaking the cycle: %v", err)
			}
			if _, err := second.RemoveRules(ctx, enforcer.G("t", "a")); err != nil {
				t.Fatalf("the removal once the cycle is gone: %v", err)
			}
			mustLoad(t, m, db.DB, "loading the store at the end")
		})
	}
}

// TestCasbinSubjectCycleBatchBehind: two links in one batch close a cycle
// below a top role that only the store holds (the writer's memory has not
// caught up with it): to the writer's memory no name is a top role, so
// its own check passes; the check in the transaction refuses the batch,
// its p rule included.
func TestCasbinSubjectCycleBatchBehind(t *testing.T) {
	ctx := context.Background()
	m, err := enforcer.ParseModel(subjPriorityModel)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db := b.Open(t)
			first := casbinOn(t, m, db.DB)
			second := casbinOn(t, m, db.DB)
			if _, err := first.AddRules(ctx, enforcer.G("a", "top")); err != nil {
				t.Fatal(err)
			}
			_, err = second.AddRules(ctx, enforcer.P("v", "data", "read", "allow"), enforcer.G("b", "a"), enforcer.G("a", "b"))
			if !errors.Is(err, enforcer.ErrInvalidRule) || !strings.Contains(err.Error(), "g, b, a; g, a, b") {
				t.Fatalf("the batch closing the cycle below a top role only the store holds: %v", err)
			}
			if second.Has("p", []string{"v", "data", "read", "allow"}) {
				t.Fatal("the refused batch's p rule is in force")
			}
			third, err := enforcer.New(ctx, m, newStore(t, db.DB), enforcer.WithCasbinEvaluation())
			if err != nil {
				t.Fatalf("loading the store: %v", err)
			}
			if got := third.Rules("g"); len(got) != 1 || third.Len("p") != 0 {
				t.Fatalf("stored: g %v, %d p rules", got, third.Len("p"))
			}
		})
	}
}

// TestCasbinSubjectCycleLostCommitAnswer: the check passes and the answer
// to COMMIT is lost; the store is asked, the write acknowledged, and the
// other half of the cycle, written by an instance whose memory has not
// caught up, is refused by the check on the committed link.
func TestCasbinSubjectCycleLostCommitAnswer(t *testing.T) {
	ctx := context.Background()
	m, err := enforcer.ParseModel(subjPriorityModel)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range servers() {
		t.Run(b.Name, func(t *testing.T) {
			db := b.Open(t)
			p, pdb := viaProxy(t, db, b.Name)
			first := casbinOn(t, m, db.DB)
			if _, err := first.AddRules(ctx, enforcer.G("a", "top")); err != nil {
				t.Fatal(err)
			}
			second, err := enforcer.New(ctx, m, newStore(t, pdb), enforcer.WithCasbinEvaluation())
			if err != nil {
				t.Fatal(err)
			}
			p.SetHook(onceOnCommit(tcpproxy.ForwardCut))
			n, err := second.AddRules(ctx, enforcer.G("b", "a"))
			p.SetHook(nil)
			if err != nil || n != 1 {
				t.Fatalf("the link whose COMMIT answer was lost = %d, %v; want acknowledged", n, err)
			}
			if first.Has("g", []string{"b", "a"}) {
				t.Fatal("the first instance caught up: not the case under test")
			}
			_, err = first.AddRules(ctx, enforcer.G("a", "b"))
			if !errors.Is(err, enforcer.ErrInvalidRule) || !strings.Contains(err.Error(), "g, b, a; g, a, b") {
				t.Fatalf("the other half of the cycle: %v", err)
			}
			mustLoad(t, m, db.DB, "loading the store")
		})
	}
}

// TestWriteChangesCheckedLoadBroken: the connection breaks while the check
// reads the policy (before COMMIT): the write fails plainly, neither an
// unknown outcome nor a refusal of the rule, nothing is stored, and the
// next write through the same store commits (no head lock is left held).
func TestWriteChangesCheckedLoadBroken(t *testing.T) {
	ctx := context.Background()
	for _, b := range servers() {
		t.Run(b.Name, func(t *testing.T) {
			db := b.Open(t)
			p, pdb := viaProxy(t, db, b.Name)
			s := newStore(t, pdb, rulelog.WithTimeout(5*time.Second))
			ran := false
			txf := rulelog.WithTxFunc(ctx, func(context.Context, *gorm.DB, rulelog.Write) error {
				ran = true
				return nil
			})
			add := enforcer.ChangeSet{Op: enforcer.OpAdd, Rules: []enforcer.Rule{enforcer.G("alice", "admin")}}
			_, err := s.WriteChangesChecked(txf, add, func(ctx context.Context, load func(context.Context, model.Model, ...string) error) error {
				p.Cut()
				return load(ctx, rbacModel(t))
			})
			if err == nil || errors.Is(err, enforcer.ErrOutcomeUnknown) || errors.Is(err, enforcer.ErrInvalidRule) {
				t.Fatalf("a write whose check's read broke: %v; want a plain failure", err)
			}
			t.Logf("the failure: %v", err)
			if ran {
				t.Fatal("the TxFunc ran after the check failed")
			}
			if err := p.Restore(); err != nil {
				t.Fatal(err)
			}
			if h, err := newStore(t, db.DB).Head(ctx); err != nil || h != 0 {
				t.Fatalf("head after the failed write: %d, %v", h, err)
			}
			if count(t, db.DB, rulelog.DefaultTable, "v0 = ?", "alice") != 0 {
				t.Fatal("the failed write's rule is stored")
			}
			w, err := s.WriteChangesChecked(txf, add, func(ctx context.Context, load func(context.Context, model.Model, ...string) error) error {
				return load(ctx, rbacModel(t))
			})
			if err != nil || w.Revision != 1 || !ran {
				t.Fatalf("the next write: %+v, %v (TxFunc ran: %v)", w, err, ran)
			}
		})
	}
}

// spyStore counts the writes the enforcer sends through the commit check.
type spyStore struct {
	*rulelog.Store
	checked int
}

func (s *spyStore) WriteChangesChecked(ctx context.Context, c enforcer.ChangeSet, check enforcer.CommitCheck) (enforcer.Written, error) {
	s.checked++
	return s.Store.WriteChangesChecked(ctx, c, check)
}

// TestCommitCheckOnlyWhereNeeded: the check (a read of the whole policy
// inside the write) runs for g links, added or removed, under
// subjectPriority with Casbin's evaluation, and for nothing else: not for
// p rules there, not for the index on the same model, not for Casbin's
// evaluation of another effect.
func TestCommitCheckOnlyWhereNeeded(t *testing.T) {
	ctx := context.Background()
	const allowText = "[request_definition]\nr = sub, obj, act\n[policy_definition]\np = sub, obj, act, eft\n[role_definition]\ng = _, _\n" +
		"[policy_effect]\ne = some(where (p.eft == allow))\n[matchers]\nm = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act\n"
	for _, c := range []struct {
		name      string
		text      string
		opts      []enforcer.Option
		gChecked  bool
		fastPaths bool
	}{
		{"subjectPriority, Casbin", subjPriorityModel, []enforcer.Option{enforcer.WithCasbinEvaluation()}, true, false},
		{"subjectPriority, index", subjPriorityModel, nil, false, true},
		{"allow-override, Casbin", allowText, []enforcer.Option{enforcer.WithCasbinEvaluation()}, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := enforcer.ParseModel(c.text, c.opts...)
			if err != nil {
				t.Fatal(err)
			}
			s := &spyStore{Store: newStore(t, dbtest.SQLite(t).DB)}
			e, err := enforcer.New(ctx, m, s, c.opts...)
			if err != nil {
				t.Fatal(err)
			}
			if ok, reason := e.FastPath(); ok != c.fastPaths {
				t.Fatalf("fast path %v (%s): not the case under test", ok, reason)
			}
			if _, err := e.AddRules(ctx, enforcer.P("a", "data", "read", "allow")); err != nil {
				t.Fatal(err)
			}
			if _, err := e.RemoveRules(ctx, enforcer.P("a", "data", "read", "allow")); err != nil {
				t.Fatal(err)
			}
			if s.checked != 0 {
				t.Fatalf("p rules went through the check %d times", s.checked)
			}
			if _, err := e.AddRules(ctx, enforcer.G("a", "top")); err != nil {
				t.Fatal(err)
			}
			if _, err := e.RemoveRules(ctx, enforcer.G("a", "top")); err != nil {
				t.Fatal(err)
			}
			want := 0
			if c.gChecked {
				want = 2
			}
			if s.checked != want {
				t.Fatalf("g links went through the check %d times, want %d", s.checked, want)
			}
		})
	}
}

// TestCasbinSubjectCycleConcurrentWorkload: three instances on one store
// add and remove links among a few names at the same time, in batches of
// one or two, none of them polling: whatever their memories hold, every
// write either commits or is refused as an invalid rule (no deadlock on
// MySQL's shared-lock read, no other error), and after every round the
// store loads under Casbin's evaluation.
func TestCasbinSubjectCycleConcurrentWorkload(t *testing.T) {
	ctx := context.Background()
	m, err := enforcer.ParseModel(subjPriorityModel)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"top", "a", "b", "c", "d"}
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db := b.Open(t)
			es := make([]*enforcer.Enforcer, 3)
			for i := range es {
				if es[i], err = enforcer.New(ctx, m, newStore(t, db.DB), enforcer.WithCasbinEvaluation()); err != nil {
					t.Fatal(err)
				}
			}
			var refused, committed atomic.Int64
			for round := range 6 {
				var wg sync.WaitGroup
				errs := make([]error, len(es))
				for i, e := range es {
					r := rand.New(rand.NewPCG(uint64(round), uint64(i)))
					link := func() enforcer.Rule {
						return enforcer.G(names[r.IntN(len(names))], names[r.IntN(len(names))])
					}
					wg.Go(func() {
						for range 6 {
							rules := []enforcer.Rule{link()}
							if r.IntN(2) == 0 {
								rules = append(rules, link())
							}
							var err error
							if r.IntN(3) == 0 {
								_, err = e.RemoveRules(ctx, rules...)
							} else {
								_, err = e.AddRules(ctx, rules...)
							}
							switch {
							case errors.Is(err, enforcer.ErrInvalidRule):
								refused.Add(1)
							case err != nil:
								errs[i] = err
								return
							default:
								committed.Add(1)
							}
						}
					})
				}
				wg.Wait()
				for _, err := range errs {
					if err != nil {
						t.Fatalf("round %d: %v", round, err)
					}
				}
				if _, err := enforcer.New(ctx, m, newStore(t, db.DB), enforcer.WithCasbinEvaluation()); err != nil {
					t.Fatalf("loading the store after round %d: %v", round, err)
				}
			}
			if refused.Load() == 0 || committed.Load() == 0 {
				t.Fatalf("%d committed, %d refused: the workload tests nothing", committed.Load(), refused.Load())
			}
		})
	}
}

// TestCasbinSubjectCycleStaleMemory: an instance whose memory still holds
// a link another instance removed judges a change on links the store no
// longer holds. The store's answer is the one that counts: an add or a
// removal that leaves no cycle below a top role on the store commits,
// however the stale memory sees it.
func TestCasbinSubjectCycleStaleMemory(t *testing.T) {
	ctx := context.Background()
	m, err := enforcer.ParseModel(subjPriorityModel)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db := b.Open(t)
			open := func() *enforcer.Enforcer {
				e := casbinOn(t, m, db.DB)
				return e
			}
			first := open()
			if _, err := first.AddRules(ctx, enforcer.G("a", "top"), enforcer.G("b", "a")); err != nil {
				t.Fatal(err)
			}
			stale := open()
			if _, err := first.RemoveRules(ctx, enforcer.G("b", "a")); err != nil {
				t.Fatal(err)
			}
			if !stale.Has("g", []string{"b", "a"}) {
				t.Fatal("the instance caught up: not the case under test")
			}
			// To the stale memory a -> b closes top > a > b > a; on the
			// store, where b -> a is gone, it closes nothing.
			if _, err := stale.AddRules(ctx, enforcer.G("a", "b")); err != nil {
				t.Errorf("an add the store takes, judged on a stale memory: %v", err)
			}
			if _, err := open().RemoveRules(ctx, enforcer.G("a", "b"), enforcer.G("a", "top")); err != nil {
				t.Fatal(err)
			}

			// The no-top-role cycles of TestCasbinSubjectCycleByRemoval.
			if _, err := first.AddRules(ctx, enforcer.G("c", "d"), enforcer.G("d", "c"), enforcer.G("t", "c"), enforcer.G("c", "t")); err != nil {
				t.Fatal(err)
			}
			stale = open()
			if _, err := first.RemoveRules(ctx, enforcer.G("c", "d")); err != nil {
				t.Fatal(err)
			}
			// To the stale memory, removing t -> c makes t a top role
			// above c <-> d; on the store c -> d is gone: t > c > d.
			if _, err := stale.RemoveRules(ctx, enforcer.G("t", "c")); err != nil {
				t.Errorf("a removal the store takes, judged on a stale memory: %v", err)
			}
			mustLoad(t, m, db.DB, "loading the store")
		})
	}
}

// linksSpy records what the enforcer's commit check reads.
type linksSpy struct {
	*rulelog.Store
	ptypes [][]string
	pRead  int
}

func (s *linksSpy) WriteChangesChecked(ctx context.Context, c enforcer.ChangeSet, check enforcer.CommitCheck) (enforcer.Written, error) {
	return s.Store.WriteChangesChecked(ctx, c, func(ctx context.Context, load func(context.Context, model.Model, ...string) error) error {
		return check(ctx, func(ctx context.Context, m model.Model, ptypes ...string) error {
			s.ptypes = append(s.ptypes, ptypes)
			err := load(ctx, m, ptypes...)
			s.pRead += len(m["p"]["p"].Policy)
			return err
		})
	})
}

// TestCommitCheckReadsLinksOnly: the check inside the write holds the
// store's write lock while it reads; it reads the g links alone, not the
// whole policy (300,000 p rules made every link's write take a second on
// PostgreSQL, every other writer waiting, and a larger policy ran past the
// write's timeout). A p row the check does not read cannot fail the link's
// write either.
func TestCommitCheckReadsLinksOnly(t *testing.T) {
	ctx := context.Background()
	m, err := enforcer.ParseModel(subjPriorityModel)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db := b.Open(t)
			s := &linksSpy{Store: newStore(t, db.DB)}
			e, err := enforcer.New(ctx, m, s, enforcer.WithCasbinEvaluation())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.AddRules(ctx, enforcer.P("a", "data", "read", "allow"), enforcer.G("a", "top")); err != nil {
				t.Fatal(err)
			}
			if _, err := e.RemoveRules(ctx, enforcer.G("a", "top")); err != nil {
				t.Fatal(err)
			}
			if len(s.ptypes) != 2 || len(s.ptypes[0]) != 1 || s.ptypes[0][0] != "g" || len(s.ptypes[1]) != 1 || s.ptypes[1][0] != "g" {
				t.Fatalf("the check read %v, want g twice", s.ptypes)
			}
			if s.pRead != 0 {
				t.Fatalf("the check read %d p rules", s.pRead)
			}
			// The store's own read of the ptypes asked: links alone.
			w, err := s.Store.WriteChangesChecked(ctx, enforcer.ChangeSet{Op: enforcer.OpAdd, Rules: []enforcer.Rule{enforcer.G("b", "top")}},
				func(ctx context.Context, load func(context.Context, model.Model, ...string) error) error {
					lm := e.Model()
					if err := load(ctx, lm, "g"); err != nil {
						return err
					}
					if n, g := len(lm["p"]["p"].Policy), len(lm["g"]["g"].Policy); n != 0 || g != 1 {
						t.Errorf("read %d p rules and %d links, want the link alone", n, g)
					}
					all := e.Model()
					if err := load(ctx, all); err != nil {
						return err
					}
					if n, g := len(all["p"]["p"].Policy), len(all["g"]["g"].Policy); n != 1 || g != 1 {
						t.Errorf("read %d p rules and %d links of everything", n, g)
					}
					return nil
				})
			if err != nil || w.Revision == 0 {
				t.Fatalf("%+v, %v", w, err)
			}
		})
	}
}

// TestCasbinSubjectCycleDomains: with domains (g = _, _, _), Casbin's
// sort keys a name by its link's domain. Halves of a cycle in one domain,
// written by two instances, are refused on the store; the same names
// linked the other way in another domain close no cycle and commit.
func TestCasbinSubjectCycleDomains(t *testing.T) {
	ctx := context.Background()
	const text = "[request_definition]\nr = sub, dom, obj, act\n[policy_definition]\np = sub, dom, obj, act, eft\n[role_definition]\ng = _, _, _\n" +
		"[policy_effect]\ne = subjectPriority(p.eft) || deny\n[matchers]\nm = g(r.sub, p.sub, r.dom) && r.dom == p.dom && r.obj == p.obj && r.act == p.act\n"
	m, err := enforcer.ParseModel(text)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db := b.Open(t)
			first := casbinOn(t, m, db.DB)
			second := casbinOn(t, m, db.DB)
			if _, err := first.AddRules(ctx, enforcer.G("a", "top", "d1"), enforcer.G("b", "a", "d1")); err != nil {
				t.Fatal(err)
			}
			if _, err := second.AddRules(ctx, enforcer.G("a", "b", "d2")); err != nil {
				t.Fatalf("a link in another domain: %v", err)
			}
			_, err = second.AddRules(ctx, enforcer.G("a", "b", "d1"))
			if !errors.Is(err, enforcer.ErrInvalidRule) || !strings.Contains(err.Error(), "g, a, b, d1") {
				t.Fatalf("the other half of the cycle in d1: %v", err)
			}
			mustLoad(t, m, db.DB, "loading the store")
		})
	}
}
