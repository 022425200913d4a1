package enforcer

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/casbin/casbin/v2/util"
	"github.com/casbin/govaluate"
)

// TestKeyGetOverTheBoundedCache: Casbin's keyGet2 and keyGet3 compile
// through its process-wide cache, which keeps every pattern for good. With
// eval() on the index a request-scoped policy's text is evaluated by
// govaluate with the enforcer's functions, and may call them with patterns
// of its own: one per request grew Casbin's cache without bound, request
// data kept in shared state. The functions govaluate calls must be
// Warden's, over the bounded cache, and answer as Casbin's do (a value,
// "", or a failure where Casbin panics), and a request-scoped text's
// pattern must end in the bounded cache, not Casbin's.
func TestKeyGetOverTheBoundedCache(t *testing.T) {
	ctx := context.Background()
	m, err := ParseModel(`[request_definition]
r = sub, obj, act
[policy_definition]
p = sub_rule, act
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = eval(p.sub_rule) && r.act == p.act`)
	if err != nil {
		t.Fatal(err)
	}
	w, err := New(ctx, m, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ok, reason := w.FastPath(); !ok {
		t.Fatalf("not on the index: %s", reason)
	}
	if _, err := w.AddRules(ctx, P("r.sub == 'root'", "read")); err != nil {
		t.Fatal(err)
	}
	fns := w.eng.(*state).cm.functions
	casbinFns := map[string]govaluate.ExpressionFunction{"keyGet2": util.KeyGet2Func, "keyGet3": util.KeyGet3Func}
	patterns := []string{"/a/:id", "/a/:id/b/:x", "/a/*", "/a/:id/(b)", "/a/(", "/", "", ":id", "/p/{a}/{b}", "/p/{a}_x/{b}", "/p/{a}/*", "/p/{a}/(", "{x}", "/a/:id.json"}
	keys := []string{"/a/1", "/a/1/b/2", "/a/1/b", "/", "", "x", "/p/1/2", "/p/1_x/2", "/p/1/2/3", "/a/1.json", "/a/b/c"}
	vars := []string{"id", "x", "a", "b", "nope"}
	call := func(f govaluate.ExpressionFunction, args ...any) (res any, err error) {
		defer func() {
			if r := recover(); r != nil {
				res, err = nil, fmt.Errorf("%v", r)
			}
		}()
		return f(args...)
	}
	for name, cf := range casbinFns {
		f := fns[name]
		if reflect.ValueOf(f).Pointer() == reflect.ValueOf(cf).Pointer() {
			t.Errorf("%s is Casbin's, over its unbounded process-wide cache", name)
			continue
		}
		for _, p := range patterns {
			for _, k := range keys {
				for _, v := range vars {
					want, werr := call(cf, k, p, v)
					got, gerr := call(f, k, p, v)
					if (werr != nil) != (gerr != nil) || (werr == nil && got != want) {
						t.Errorf("%s(%q, %q, %q) = %v, %v; Casbin %v, %v", name, k, p, v, got, gerr, want, werr)
					}
				}
			}
		}
		for _, args := range [][]any{{"a", "b"}, {"a", "b", 1}, {"a", "b", "c", "d"}} {
			want, werr := call(cf, args...)
			got, gerr := call(f, args...)
			if (werr != nil) != (gerr != nil) || got != want {
				t.Errorf("%s%v = %v, %v; Casbin %v, %v", name, args, got, gerr, want, werr)
			}
		}
	}
	// A request-scoped policy's text with a pattern of its own.
	pattern := "/t/:id/scoped-only"
	text := fmt.Sprintf("keyGet2(r.obj, '%s', 'id') == '7'", pattern)
	for _, c := range []struct {
		obj     string
		allowed bool
	}{{"/t/7/scoped-only", true}, {"/t/8/scoped-only", false}} {
		d, err := w.Decide(ctx, Request{Values: []any{"ann", c.obj, "read"}, Policies: [][]string{{text, "read"}}})
		if err != nil || d.Allowed != c.allowed {
			t.Errorf("%s: allowed %v, %v; want %v", c.obj, d.Allowed, err, c.allowed)
		}
	}
	if _, ok := keyGet2Cache.m[pattern]; !ok {
		t.Errorf("the request-scoped pattern %q is not in the bounded cache", pattern)
	}
}
