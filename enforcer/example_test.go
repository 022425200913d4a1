package enforcer_test

import (
	"context"
	"fmt"
	"log"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/models"
)

// The embedding example of the README: keep the two in sync.
func Example() {
	ctx := context.Background()

	// A ready model, and a policy kept in memory (use csvfile.New or
	// gorm-adapter for a file or a database).
	m, err := models.Load("rbac_deny")
	if err != nil {
		log.Fatal(err)
	}
	e, err := enforcer.New(ctx, m, nil)
	if err != nil {
		log.Fatal(err)
	}
	_, err = e.AddRules(ctx,
		enforcer.P("viewer", "/posts", "GET", "allow"),
		enforcer.P("editor", "/posts", "POST", "allow"),
		enforcer.G("editor", "viewer"),
		enforcer.G("alice", "editor"),
	)
	if err != nil {
		log.Fatal(err)
	}

	x, _ := e.Explain(ctx, enforcer.NewRequest("alice", "/posts", "GET"))
	fmt.Println(x.Allowed, x.Rule, x.Chain)

	// Groups from a caller's token count for this decision only.
	d, _ := e.Decide(ctx, enforcer.NewRequest("bob", "/posts", "POST").WithGroups("editor"))
	fmt.Println(d.Allowed)
	ok, _ := e.Enforce(ctx, "bob", "/posts", "POST")
	fmt.Println(ok)
	// Output:
	// true p, viewer, /posts, GET, allow [alice editor viewer]
	// true
	// false
}

// Deny rules and "no rule" are told apart.
func ExampleEffect() {
	ctx := context.Background()
	e, _ := enforcer.NewFromFiles(ctx, "../conf/model.conf", "../conf/policy.csv")
	for _, who := range []string{"bob", "carol"} {
		d, _ := e.Decide(ctx, enforcer.NewRequest(who, "/posts/1/comments", "POST"))
		fmt.Println(who, d.Allowed, d.Effect)
	}
	// Output:
	// bob false deny
	// carol false none
}
