package enforcer_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/wardenhq/warden/enforcer"
)

// A matcher function registered in code, as Casbin's AddFunction: the same
// option goes to ParseModel (which refuses a call of an unknown function)
// and to New.
func ExampleWithFunction() {
	ctx := context.Background()
	const text = `[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub) && underPath(r.obj, p.obj) && r.act == p.act`

	underPath := enforcer.WithFunction("underPath", func(args ...any) (any, error) {
		obj, _ := args[0].(string)
		dir, _ := args[1].(string)
		return obj == dir || strings.HasPrefix(obj, dir+"/"), nil
	})
	m, err := enforcer.ParseModel(text, underPath)
	if err != nil {
		log.Fatal(err)
	}
	e, err := enforcer.New(ctx, m, nil, underPath)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := e.AddRules(ctx, enforcer.P("editor", "/docs", "write"), enforcer.G("alice", "editor")); err != nil {
		log.Fatal(err)
	}
	for _, obj := range []string{"/docs/a", "/docsx"} {
		ok, _ := e.Enforce(ctx, "alice", obj, "write")
		fmt.Println(obj, ok)
	}
	fast, _ := e.FastPath()
	fmt.Println("on the index:", fast)

	_, err = enforcer.ParseModel(text)
	fmt.Println(err != nil)
	// Output:
	// /docs/a true
	// /docsx false
	// on the index: true
	// true
}

// Casbin's rbac_with_pattern: the names in g2's links are keyMatch2
// patterns, as with Casbin's AddNamedMatchingFunc("g2", "", util.KeyMatch2).
func ExampleWithMatchingFunction() {
	ctx := context.Background()
	m, err := enforcer.ParseModel(`[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act
[role_definition]
g = _, _
g2 = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub) && g2(r.obj, p.obj) && r.act == p.act`)
	if err != nil {
		log.Fatal(err)
	}
	e, err := enforcer.New(ctx, m, nil, enforcer.WithMatchingFunction("g2", "keyMatch2", nil))
	if err != nil {
		log.Fatal(err)
	}
	_, err = e.AddRules(ctx,
		enforcer.P("book_admin", "book_group", "GET"),
		enforcer.G("alice", "book_admin"),
		enforcer.Rule{PType: "g2", Values: []string{"/book/:id", "book_group"}},
	)
	if err != nil {
		log.Fatal(err)
	}
	for _, obj := range []string{"/book/1", "/book/1/pages", "/pen/1"} {
		ok, _ := e.Enforce(ctx, "alice", obj, "GET")
		fmt.Println(obj, ok)
	}
	// Output:
	// /book/1 true
	// /book/1/pages false
	// /pen/1 false
}
