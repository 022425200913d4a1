package modelcheck_test

import (
	"strings"
	"testing"

	"github.com/casbin/casbin/v2/model"

	"github.com/wardenhq/warden/internal/modelcheck"
)

// TestRequestUsesOnlyChecked: RequestUses, which decides whether a
// decision runs CheckRequest on a request field at all, holds for a field
// some function reads as a pattern, as eval()'s expression or as
// ipMatch's CIDR, and not for one that only a registered function,
// keyMatch's key or ipMatch's address reads. For each field where it does
// not hold, CheckRequest refuses no value within the size limit, however
// hostile as a pattern: skipping it loses nothing.
func TestRequestUsesOnlyChecked(t *testing.T) {
	const text = `[request_definition]
r = sub, fn, key, pat, ip, cidr, ev
[policy_definition]
p = sub, obj, ip
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = r.sub == p.sub && underPath(r.fn, p.obj) && keyMatch(r.key, p.obj) && keyMatch2(p.obj, r.pat) && ipMatch(r.ip, p.ip) && ipMatch(p.ip, r.cidr) && eval(r.ev)`
	m, err := model.NewModelFromString(text)
	if err != nil {
		t.Fatal(err)
	}
	c := modelcheck.NewValueChecker(m, modelcheck.Limits{})
	want := map[string]bool{"sub": false, "fn": false, "key": false, "pat": true, "ip": false, "cidr": true, "ev": true}
	hostile := []string{"(", "[", "/a/{id(}", strings.Repeat("(a*)*", 40), "not-an-ip", "eval(", `\`}
	for i, name := range []string{"sub", "fn", "key", "pat", "ip", "cidr", "ev"} {
		got := c.RequestUses("r", i)
		if got != want[name] {
			t.Errorf("RequestUses(r.%s) = %v, want %v", name, got, want[name])
		}
		if got {
			refused := false
			for _, v := range hostile {
				refused = refused || c.CheckRequest("r", i, v) != nil
			}
			if !refused {
				t.Errorf("r.%s: RequestUses holds, but CheckRequest refuses none of %q", name, hostile)
			}
			continue
		}
		for _, v := range hostile {
			if err := c.CheckRequest("r", i, v); err != nil {
				t.Errorf("r.%s: RequestUses is false, so decisions skip CheckRequest, which refuses %q: %v", name, v, err)
			}
		}
	}
}
