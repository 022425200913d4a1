package enforcer_test

import (
	"context"
	"fmt"
	"log"

	"github.com/wardenhq/warden/enforcer"
)

// A model with two request definitions and two matchers over one policy:
// each decision chooses its definitions, as Casbin's EnforceContext does.
func ExampleDefinition() {
	ctx := context.Background()
	m, err := enforcer.ParseModel(`[request_definition]
r = sub, obj, act
r2 = sub, obj
[policy_definition]
p = sub, obj, act, eft
[role_definition]
g = _, _
[policy_effect]
e = priority(p.eft) || deny
[matchers]
m = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act
m2 = g(r2.sub, p.sub) && r2.obj == p.obj`)
	if err != nil {
		log.Fatal(err)
	}
	e, err := enforcer.New(ctx, m, nil)
	if err != nil {
		log.Fatal(err)
	}
	_, err = e.AddRules(ctx,
		enforcer.P("alice", "data1", "read", "allow"),
		enforcer.P("readers", "data1", "write", "deny"),
		enforcer.G("bob", "readers"),
	)
	if err != nil {
		log.Fatal(err)
	}
	onIndex, _ := e.FastPath()
	fmt.Println(onIndex)

	// The default definition: r, p, e, m.
	d, _ := e.Decide(ctx, enforcer.NewRequest("alice", "data1", "read"))
	fmt.Println(d.Allowed, d.Rule)

	// r2 and m2 (p and e stay the defaults): any action on the object.
	anyAct := enforcer.Definition{R: "r2", M: "m2"}
	d, _ = e.Decide(ctx, enforcer.Request{Values: []any{"bob", "data1"}, Definition: anyAct})
	fmt.Println(d.Allowed, d.Effect, d.Rule)

	// The model has no e2: NewEnforceContext("2") is refused.
	_, err = e.Decide(ctx, enforcer.Request{Values: []any{"bob", "data1"}, Definition: enforcer.Definitions("2")})
	fmt.Println(err)
	// Output:
	// true
	// true p, alice, data1, read, allow
	// false deny p, readers, data1, write, deny
	// enforcer: invalid request: definition {r2, p2, e2, m2}: the model has no p2
}
