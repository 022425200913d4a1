package enforcer_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/wardenhq/warden/enforcer"
)

// A rule value is checked against the function the matcher reads it with:
// conf/model.conf passes p.obj to keyMatch2, which would fail on "/posts("
// at every decision.
func ExampleEnforcer_CheckRule() {
	e, err := enforcer.NewFromFiles(context.Background(), "../conf/model.conf", "../conf/policy.csv")
	if err != nil {
		panic(err)
	}
	err = e.CheckRule(enforcer.P("viewer", "/posts(", "GET", "allow"))
	var re *enforcer.RuleError
	if errors.As(err, &re) {
		fmt.Println(re.Field, "-", re.Reason)
	}
	fmt.Println(e.CheckRule(enforcer.G("car\u202elo", "viewer")))
	fmt.Println(e.CheckRule(enforcer.P("viewer", "/posts/:id", "GET", "allow")))
	// Output:
	// obj - "/posts(" is not a valid keyMatch2 pattern: error parsing regexp: missing closing ): `^/posts($`
	// enforcer: invalid rule: g value 1: field member: contains the invisible character U+202E, which makes the rule read differently from what it does
	// <nil>
}
