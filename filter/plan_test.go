package filter_test

import (
	"errors"
	"testing"

	"github.com/wardenhq/warden/filter"
)

func TestHolds(t *testing.T) {
	p := filter.Plan{Kind: filter.Conditional, Cond: filter.And(
		filter.Or(filter.In("obj", "/a", "/b"), filter.Prefix("obj", "/p/"), &filter.Cond{Op: filter.OpRegex, Field: "obj", Regex: `^/k/[^/]+$`, Before: "?"}),
		filter.Not(filter.Eq("obj", "/b")),
		filter.MaxLen("obj", 8),
	)}
	cases := map[string]bool{"/a": true, "/b": false, "/p/x": true, "/p/xxxxxx": false, "/p/xxxxx": true, "/k/1?x/y": true, "/k/1/2": false, "/c": false}
	for v, want := range cases {
		got, err := p.Holds(func(string) (string, bool) { return v, true })
		if err != nil || got != want {
			t.Errorf("%q: %v %v, want %v", v, got, err, want)
		}
	}
	if got, _ := p.Holds(func(string) (string, bool) { return "", false }); got {
		t.Error("a conditional plan holds for NULL")
	}
	if got, _ := (filter.Plan{}).Holds(nil); got {
		t.Error("the zero plan allows")
	}
	if got, _ := (filter.Plan{Kind: filter.AlwaysAllowed}).Holds(nil); !got {
		t.Error("always allowed does not hold")
	}
	bad := filter.Plan{Kind: filter.Conditional, Cond: filter.Regex("obj", "(")}
	if _, err := bad.Holds(func(string) (string, bool) { return "x", true }); err == nil {
		t.Error("a bad expression holds")
	}
	if _, err := (filter.Plan{Kind: filter.Conditional}).Holds(nil); !errors.Is(err, filter.ErrUnsupported) {
		t.Errorf("conditional without a condition: %v", err)
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[filter.Kind]string{filter.AlwaysDenied: "always_denied", filter.AlwaysAllowed: "always_allowed", filter.Conditional: "conditional"} {
		if k.String() != want {
			t.Errorf("%d: %s", k, k)
		}
	}
}
