package enforcer_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"

	"github.com/wardenhq/warden/enforcer"
)

// Under subjectPriority(p.eft) || deny, Casbin's loader walks the "g"
// links from every top role without remembering what it visited, so a
// cycle below a top role makes it loop for ever (internal/subjectsort).
// The index decides such a policy itself (TestSubjectPriorityCycle); an
// enforcer that hands the policy to Casbin refuses it instead.

// hangBound is how long a call that Casbin would make loop is given before
// the test calls it a hang. The passing case never waits for it: the cycle
// is found before Casbin sees the policy.
const hangBound = 20 * time.Second

// returns runs f in a goroutine and fails the test if it does not return
// within hangBound. A hung f is left running: the test has failed anyway.
func returns[T any](t *testing.T, what string, f func() (T, error)) (T, error) {
	t.Helper()
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := f()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-time.After(hangBound):
		t.Fatalf("%s did not return within %v: Casbin's subject sort loops on the cycle", what, hangBound)
		panic("unreachable")
	}
}

// storeAdapter is a policy store in memory that saves what it is given,
// so that a later load reads it back.
type storeAdapter struct {
	mu    sync.Mutex
	rules []enforcer.Rule
}

func (a *storeAdapter) set(rules ...enforcer.Rule) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.rules = slices.Clone(rules)
}

func (a *storeAdapter) LoadPolicy(m model.Model) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, r := range a.rules {
		if err := persist.LoadPolicyArray(append([]string{r.PType}, r.Values...), m); err != nil {
			return err
		}
	}
	return nil
}

func (a *storeAdapter) AddPolicy(_, ptype string, vals []string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.rules = append(a.rules, enforcer.Rule{PType: ptype, Values: slices.Clone(vals)})
	return nil
}

func (a *storeAdapter) RemovePolicy(_, ptype string, vals []string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.rules = slices.DeleteFunc(a.rules, func(r enforcer.Rule) bool { return r.PType == ptype && slices.Equal(r.Values, vals) })
	return nil
}

func (a *storeAdapter) SavePolicy(model.Model) error { return errors.ErrUnsupported }
func (a *storeAdapter) RemoveFilteredPolicy(string, string, int, ...string) error {
	return errors.ErrUnsupported
}

var (
	cycleBase = []enforcer.Rule{
		enforcer.G("a", "top"), enforcer.G("b", "a"), enforcer.G("u", "b"),
		enforcer.P("u", "data", "read", "allow"), enforcer.P("a", "data", "read", "deny"),
	}
	cycleLink = enforcer.G("a", "b") // closes a → b → a below top
)

// casbinSubjectModes are the ways a subjectPriority policy reaches Casbin's
// own enforcer: asked for, and a model the index does not serve.
func casbinSubjectModes() []struct {
	name string
	opts []enforcer.Option
} {
	return []struct {
		name string
		opts []enforcer.Option
	}{
		{"WithCasbinEvaluation", []enforcer.Option{enforcer.WithCasbinEvaluation()}},
		{"name matching function on g", []enforcer.Option{enforcer.WithMatchingFunction("g", "keyMatch", nil)}},
	}
}

func newSubjectCasbin(t *testing.T, a persist.Adapter, opts []enforcer.Option) (*enforcer.Enforcer, error) {
	t.Helper()
	m, err := enforcer.ParseModel(prioModels[7].text, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return returns(t, "enforcer.New", func() (*enforcer.Enforcer, error) {
		return enforcer.New(context.Background(), m, a, opts...)
	})
}

func wantCycleError(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, enforcer.ErrInvalidRule) || !strings.Contains(err.Error(), "g, b, a; g, a, b") {
		t.Fatalf("%s: %v; want ErrInvalidRule naming the links g, b, a; g, a, b", what, err)
	}
}

// TestCasbinSubjectCycleLoad: New and Reload refuse a policy with a cycle
// below a top role rather than hang in Casbin's loader; a refused Reload
// leaves the policy in force.
func TestCasbinSubjectCycleLoad(t *testing.T) {
	ctx := context.Background()
	for _, mode := range casbinSubjectModes() {
		t.Run(mode.name, func(t *testing.T) {
			a := &storeAdapter{}
			a.set(append(slices.Clone(cycleBase), cycleLink)...)
			_, err := newSubjectCasbin(t, a, mode.opts)
			wantCycleError(t, "New", err)

			a.set(cycleBase...)
			w, err := newSubjectCasbin(t, a, mode.opts)
			if err != nil {
				t.Fatal(err)
			}
			if ok, _ := w.FastPath(); ok {
				t.Fatal("the index decides: not the case under test")
			}
			a.set(append(slices.Clone(cycleBase), cycleLink)...)
			_, err = returns(t, "Reload", func() (struct{}, error) { return struct{}{}, w.Reload(ctx) })
			wantCycleError(t, "Reload", err)
			if got := w.Rules("g"); len(got) != 3 {
				t.Fatalf("after a refused Reload: %v", got)
			}
			d, err := w.Decide(ctx, enforcer.NewRequest("u", "data", "read"))
			if err != nil || !d.Allowed {
				t.Fatalf("after a refused Reload: %v, %v", d, err)
			}
		})
	}
}

// TestCasbinSubjectCycleAdd: AddRules and ApplyAdded refuse a link that
// closes a cycle below a top role, which the store would hold and every
// later load would loop on; nothing is stored or applied.
func TestCasbinSubjectCycleAdd(t *testing.T) {
	ctx := context.Background()
	for _, mode := range casbinSubjectModes() {
		t.Run(mode.name, func(t *testing.T) {
			a := &storeAdapter{}
			a.set(cycleBase...)
			w, err := newSubjectCasbin(t, a, mode.opts)
			if err != nil {
				t.Fatal(err)
			}
			_, err = w.AddRules(ctx, enforcer.P("v", "data", "read", "allow"), cycleLink)
			wantCycleError(t, "AddRules", err)
			_, err = w.ApplyAdded(cycleLink)
			wantCycleError(t, "ApplyAdded", err)
			if got := w.Rules("g"); len(got) != 3 || w.Has("p", []string{"v", "data", "read", "allow"}) {
				t.Fatalf("after a refused write: g %v", got)
			}
			if len(a.rules) != len(cycleBase) {
				t.Fatalf("stored: %v", a.rules)
			}
			if _, err := returns(t, "Reload", func() (struct{}, error) { return struct{}{}, w.Reload(ctx) }); err != nil {
				t.Fatal(err)
			}
			// A link that makes no cycle below a top role is taken, and a
			// cycle no top role reaches is not walked by Casbin.
			if n, err := w.AddRules(ctx, enforcer.G("c", "top"), enforcer.G("x", "y"), enforcer.G("y", "x")); n != 3 || err != nil {
				t.Fatalf("AddRules without a hanging cycle: %d, %v", n, err)
			}
			if _, err := returns(t, "Reload", func() (struct{}, error) { return struct{}{}, w.Reload(ctx) }); err != nil {
				t.Fatal(err)
			}
		})
	}
}
