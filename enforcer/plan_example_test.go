package enforcer_test

import (
	"context"
	"fmt"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/filter/sqlfilter"
	"github.com/wardenhq/warden/models"
)

// Which objects may bob read? The plan is a condition over the open
// field; sqlfilter turns it into a WHERE fragment.
func ExampleEnforcer_Plan() {
	ctx := context.Background()
	m, _ := models.Load(models.RBACDeny)
	e, _ := enforcer.New(ctx, m, nil)
	_, _ = e.AddRules(ctx,
		enforcer.P("viewer", "/posts/1", "read", "allow"),
		enforcer.P("viewer", "/posts/2", "read", "allow"),
		enforcer.P("bob", "/posts/2", "read", "deny"),
		enforcer.G("bob", "viewer"),
	)
	plan, err := e.Plan(ctx, enforcer.NewRequest("bob", enforcer.Unknown{}, "read"))
	if err != nil {
		panic(err)
	}
	fmt.Println(plan.Kind, plan.Cond)
	w, _ := sqlfilter.Translate(plan, sqlfilter.SQLite, sqlfilter.Columns{"obj": "path"})
	fmt.Println(w.SQL, w.Args)
	// Output:
	// conditional (obj IN ("/posts/1", "/posts/2") AND NOT obj = "/posts/2" AND LENGTH(obj) <= 4096)
	// `path` IS NOT NULL AND typeof(`path`) = 'text' AND (`path` IN (?, ?) AND NOT (`path` = ?) AND length(CAST(`path` AS BLOB)) <= ?) [/posts/1 /posts/2 /posts/2 4096]
}
