package enforcer_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/wardenhq/warden/enforcer"
)

// keeper is a registered function that does with its argument slice all a
// function given its own may: it keeps it, overwrites it, and appends to
// the slice it kept at its previous call. Its result reads the arguments
// as it got them.
type keeper struct {
	mu   sync.Mutex
	kept []keptArgs // every argument slice, and what the function left in it
	last []any
}

func (k *keeper) call(args ...any) (any, error) {
	a, _ := args[0].(string)
	b, _ := args[1].(string)
	res := strings.HasPrefix(a, b)
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.last != nil {
		_ = append(k.last, "appended") // must not reach this call's slice
	}
	if args[0] != a || args[1] != b {
		return nil, fmt.Errorf("arguments changed under the call: %v, got %q %q", args, a, b)
	}
	args[0], args[1] = "mine:"+a, "mine:"+b
	k.kept = append(k.kept, keptArgs{args, args[0].(string), args[1].(string)})
	k.last = args
	return res, nil
}

type keptArgs struct {
	args []any
	a, b string
}

// check reports a kept slice that is not as the function left it.
func (k *keeper) check() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, kept := range k.kept {
		if len(kept.args) != 2 || kept.args[0] != kept.a || kept.args[1] != kept.b {
			return fmt.Errorf("a kept argument slice was written after its call: %v, left as [%s %s]", kept.args, kept.a, kept.b)
		}
	}
	return nil
}

// TestFunctionArgsAreTheFunctionsOwn: the argument slice a registered
// function gets is its own, as govaluate's is for Casbin's: many calls in
// each decision, decisions in parallel, and a function that keeps,
// overwrites and appends to its slices decides as in Casbin, and finds
// every slice it kept as it left it after all decisions. Reusing one
// slice for the calls (of a decision, or of decisions) fails it, and
// under -race reports the function's reads as racing Warden's writes.
func TestFunctionArgsAreTheFunctionsOwn(t *testing.T) {
	rules := customFunctionShape(200) // 20 roles, ~11 candidates for alice
	wk, ck := &keeper{}, &keeper{}
	w := newWarden(t, customFunctionBenchModel, rules, enforcer.WithFunction("underPath", wk.call))
	c := sortedCasbin(t, customFunctionBenchModel, rules)
	c.AddFunction("underPath", ck.call)
	reqs := [][]any{
		{"alice", "/shared/page", "read"}, {"alice", "/nothing", "read"}, {"alice", "/docs/1", "write"},
		{"user3", "/docs/3", "read"}, {"user7", "/docs/77", "write"}, {"nobody", "/docs/1", "read"},
	}
	want := make([]bool, len(reqs))
	for i, rq := range reqs {
		ok, err := c.Enforce(rq...)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = ok
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4*len(reqs))
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := 0; round < 20; round++ {
				for i, rq := range reqs {
					ok, err := w.Enforce(context.Background(), rq...)
					if err != nil || ok != want[i] {
						errs <- fmt.Errorf("%v: warden %v %v, casbin %v", rq, ok, err, want[i])
						return
					}
					if err := wk.check(); err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(wk.kept) < 4*20*len(reqs) {
		t.Fatalf("%d calls: the test needs several per decision", len(wk.kept))
	}
	if err := wk.check(); err != nil {
		t.Fatal(err)
	}
}
